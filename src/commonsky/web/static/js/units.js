// Display units at the edge: SI values from the API divided by the factors /api/status serves (commonsky.units).

/**
 * @param {{ft_m: number, kt_ms: number, nm_m: number, fpm_ms: number}} factors metres (m/s) in one unit
 */
export function makeUnits(factors) {
  const { ft_m, kt_ms, nm_m, fpm_ms } = factors;
  return Object.freeze({
    /** "FL095" for 2,900 m (hundreds of feet, never below zero). */
    flightLevel: (alt_m) => "FL" + String(Math.max(0, Math.round(alt_m / ft_m / 100))).padStart(3, "0"),
    knots: (gs_ms) => Math.round(gs_ms / kt_ms),
    nauticalMiles: (d_m) => d_m / nm_m,
    feetPerMinute: (vs_ms) => Math.round(vs_ms / fpm_ms),
  });
}
