// Spherical-Earth helpers for drawing: range rings, leaders and the measuring tool. A sphere
// is ample at display scale (0.3 % at most against the ellipsoid); the tracker uses WGS84.

const R_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** The point `distance_m` from `[lon, lat]` on `bearing_deg`. */
export function destination(lon: number, lat: number, bearing_deg: number, distance_m: number): [number, number] {
  const d = distance_m / R_M;
  const b = rad(bearing_deg);
  const p1 = rad(lat);
  const l1 = rad(lon);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [((deg(l2) + 540) % 360) - 180, deg(p2)];
}

/** Great-circle distance and initial bearing from a to b. */
export function rangeBearing(a: [number, number], b: [number, number]): { range_m: number; bearing_deg: number } {
  const [l1, p1] = [rad(a[0]), rad(a[1])];
  const [l2, p2] = [rad(b[0]), rad(b[1])];
  const h = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin((l2 - l1) / 2) ** 2;
  const range_m = 2 * R_M * Math.asin(Math.min(1, Math.sqrt(h)));
  const y = Math.sin(l2 - l1) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(l2 - l1);
  return { range_m, bearing_deg: (deg(Math.atan2(y, x)) + 360) % 360 };
}

/** A circle of `radius_m` around a point, as a closed ring. */
export function circle(lon: number, lat: number, radius_m: number, steps = 96): [number, number][] {
  const ring: [number, number][] = [];
  for (let i = 0; i <= steps; i++) ring.push(destination(lon, lat, (360 * i) / steps, radius_m));
  return ring;
}
