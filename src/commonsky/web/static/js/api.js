// The live picture's HTTP API: JSON in and out; a failed request is an ApiError carrying the server's reason.

export class ApiError extends Error {
  constructor(url, status, detail) {
    super(`${url}: ${detail || "HTTP " + status}`);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The ``detail`` of a FastAPI error as one line (a string, or pydantic's list of {loc, msg}). */
function detailOf(body) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  return "";
}

async function send(url, init) {
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(url, 0, "the server does not answer");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(url, response.status, detailOf(body));
  return body;
}

export const getJSON = (url) => send(url);

export const postJSON = (url, body) => send(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: body === undefined ? null : JSON.stringify(body),
});
