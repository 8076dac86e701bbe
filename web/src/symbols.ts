// NATO APP-6 / MIL-STD-2525 air-track symbols drawn by milsymbol, added to the map once per
// standard identity: thousands of tracks share a handful of images in one WebGL layer.
import ms from "milsymbol";
import type { Map as MapLibre } from "maplibre-gl";

/** Standard identity → the SIDC's identity letter. */
const IDENTITIES: Record<string, string> = {
  pending: "P", unknown: "U", assumed_friend: "A", friend: "F", neutral: "N", suspect: "S", hostile: "H",
};

/** STANAG 1241's exercise identities: exercise pending … exercise neutral, joker, faker. */
const EXERCISE: Record<string, string> = {
  pending: "G", unknown: "W", assumed_friend: "M", friend: "D", neutral: "L", suspect: "J", hostile: "K",
};

export function symbolImage(identity: string, exercise = false): string {
  return `sym-${exercise ? "x-" : ""}${identity in IDENTITIES ? identity : "unknown"}`;
}

export function addSymbols(map: MapLibre): void {
  for (const [identity, letter] of Object.entries(EXERCISE)) draw(map, symbolImage(identity, true), letter);
  for (const [identity, letter] of Object.entries(IDENTITIES)) draw(map, symbolImage(identity), letter);
}

function draw(map: MapLibre, name: string, letter: string): void {
  const canvas = new ms.Symbol(`S${letter}AP-----------`, { size: 14, frame: true, fill: true }).asCanvas(2);
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  if (map.hasImage(name)) map.removeImage(name);
  map.addImage(name, { width: canvas.width, height: canvas.height, data: new Uint8Array(image.data.buffer) }, { pixelRatio: 2 });
}
