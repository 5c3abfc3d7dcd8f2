// The /ws/picture stream: one message per new picture; reconnects after a second when it drops.

/**
 * Connect to the stream and keep connecting. ``onMessage`` gets each parsed message and the time the parse
 * took (ms); ``onUp``/``onDown`` hear when the stream opens and when it drops.
 */
export function connect({ onMessage, onUp, onDown, retryMs = 1000 }) {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/picture";
  const open = () => {
    const ws = new WebSocket(url);
    ws.onopen = onUp;
    ws.onclose = (ev) => { onDown(ev); setTimeout(open, retryMs); };
    ws.onmessage = (ev) => {
      const t0 = performance.now(), msg = JSON.parse(ev.data);
      onMessage(msg, performance.now() - t0);
    };
  };
  open();
}
