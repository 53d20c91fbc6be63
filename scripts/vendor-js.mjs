// Copies the map's JavaScript from node_modules/ into static/vendor/ and builds the basemap.
//
//   npm ci --omit-lockfile-registry-resolved && node scripts/vendor-js.mjs
//
// The vendored files are committed: the application serves them, and neither the server
// nor CI needs npm. Run this again after changing a version in package.json, and commit
// the result together with package.json and package-lock.json.
//
// The basemap: Natural Earth's 1:50m country outlines (world-atlas, TopoJSON), converted
// to GeoJSON and clipped to Europe and Russia. world-atlas keeps spherical coordinates,
// as d3 draws them: Chukotka's rings run across the antimeridian from +180° to -180°.
// On a flat map such a ring would streak across the whole of Russia, so Russia's points
// west of 0° are moved by +360° (Chukotka then ends near 190°, next to the rest of the
// country), and so is every other ring that spans more than 180° of longitude.

import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as topojson from "topojson-client";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

// West, south, east, north in degrees; east beyond 180 holds the moved Chukotka.
const BOX = [-25, 34, 191, 82];
const DIGITS = 3;
const RUSSIA = "643";

function version(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, 0o644);
}

function fresh(folder) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return folder;
}

// --- Leaflet and its marker clusters ------------------------------------------------

const leaflet = fresh(join(vendor, "leaflet"));
// The source maps are copied too: the scripts name them, and collectstatic's manifest
// storage refuses a reference to a missing file.
for (const file of ["leaflet.js", "leaflet.js.map", "leaflet.css"]) {
  copy(join(modules, "leaflet", "dist", file), join(leaflet, file));
}
for (const image of ["layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"]) {
  copy(join(modules, "leaflet", "dist", "images", image), join(leaflet, "images", image));
}
copy(join(modules, "leaflet", "LICENSE"), join(leaflet, "LICENSE"));
writeFileSync(join(leaflet, "VERSION"), `leaflet ${version("leaflet")}\n`);

const cluster = fresh(join(vendor, "leaflet.markercluster"));
for (const file of ["leaflet.markercluster.js", "leaflet.markercluster.js.map", "MarkerCluster.css", "MarkerCluster.Default.css"]) {
  copy(join(modules, "leaflet.markercluster", "dist", file), join(cluster, file));
}
copy(join(modules, "leaflet.markercluster", "MIT-LICENCE.txt"), join(cluster, "LICENSE"));
writeFileSync(join(cluster, "VERSION"), `leaflet.markercluster ${version("leaflet.markercluster")}\n`);

// --- The basemap ----------------------------------------------------------------------

// Sutherland–Hodgman against one edge of the box: keeps the points with inside(point).
function clipEdge(ring, inside, cross) {
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const current = ring[i];
    const previous = ring[(i + ring.length - 1) % ring.length];
    if (inside(current)) {
      if (!inside(previous)) out.push(cross(previous, current));
      out.push(current);
    } else if (inside(previous)) {
      out.push(cross(previous, current));
    }
  }
  return out;
}

function atX(x) {
  return (a, b) => [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
}

function atY(y) {
  return (a, b) => [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];
}

function clipRing(ring) {
  const [west, south, east, north] = BOX;
  let points = ring.slice(0, -1); // the closing point comes back at the end
  points = clipEdge(points, (p) => p[0] >= west, atX(west));
  points = clipEdge(points, (p) => p[0] <= east, atX(east));
  points = clipEdge(points, (p) => p[1] >= south, atY(south));
  points = clipEdge(points, (p) => p[1] <= north, atY(north));
  const factor = 10 ** DIGITS;
  const rounded = [];
  for (const [x, y] of points) {
    const point = [Math.round(x * factor) / factor, Math.round(y * factor) / factor];
    const last = rounded[rounded.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) rounded.push(point);
  }
  if (rounded.length < 3) return null;
  rounded.push(rounded[0]);
  return rounded;
}

function span(ring) {
  let west = Infinity;
  let east = -Infinity;
  for (const [x] of ring) {
    west = Math.min(west, x);
    east = Math.max(east, x);
  }
  return [west, east];
}

// A ring that crosses the antimeridian jumps from +180° to -180°: its western points are
// moved by +360° so that it stays one shape. Russia lies east of 0° everywhere, so every
// western point of Russia belongs to Chukotka.
function unwrapped(ring, isRussia) {
  const [west, east] = span(ring);
  if (!isRussia && east - west <= 180) return ring;
  return ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]);
}

const atlas = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-50m.json"), "utf8"));
const countries = topojson.feature(atlas, atlas.objects.countries).features;
const features = [];
for (const country of countries) {
  if (!country.geometry) continue;
  const polygons =
    country.geometry.type === "Polygon" ? [country.geometry.coordinates] : country.geometry.coordinates;
  const kept = [];
  for (let polygon of polygons) {
    polygon = polygon.map((ring) => unwrapped(ring, country.id === RUSSIA));
    const outer = clipRing(polygon[0]);
    if (!outer) continue;
    const holes = polygon.slice(1).map(clipRing).filter(Boolean);
    kept.push([outer, ...holes]);
  }
  if (!kept.length) continue;
  features.push({
    type: "Feature",
    id: country.id,
    properties: { name: country.properties.name },
    geometry: { type: "MultiPolygon", coordinates: kept },
  });
}
features.sort((a, b) => String(a.id).localeCompare(String(b.id)));

const atlasFolder = fresh(join(vendor, "world-atlas"));
const basemap = JSON.stringify({ type: "FeatureCollection", features });
writeFileSync(join(atlasFolder, "europe-russia.geojson"), basemap + "\n");
writeFileSync(
  join(atlasFolder, "LICENSE"),
  `europe-russia.geojson: country outlines of Europe and Russia (longitude ${BOX[0]}° to ${BOX[2]}°,
latitude ${BOX[1]}° to ${BOX[3]}°; Chukotka beyond the antimeridian given as 180° to 191°), coordinates rounded to
${DIGITS} decimals, built by scripts/vendor-js.mjs from countries-50m.json of world-atlas ${version("world-atlas")}.

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.
Natural Earth (1:50m Admin 0 country boundaries, version 4.1.0) is in the public domain.

world-atlas (the TopoJSON conversion of Natural Earth), under the ISC licence:

${readFileSync(join(modules, "world-atlas", "LICENSE"), "utf8")}`,
);

console.log(`basemap: ${features.length} countries, ${(basemap.length / 1024).toFixed(0)} KiB`);
