// Leaflet, as Debian ships it, built into the appliance. The base map is the appliance's own offline tiles when an
// MBTiles file was imported (`strike tiles import`, served at /tiles/{z}/{x}/{y}), otherwise the tile server a
// site names in the tenant settings, otherwise none: a plain background with the layers drawn on it.
// The layers are GeoJSON: pager-list regions, and ECO locations styled by display status (colours in style.css).
import { circleMarker, control, geoJSON, map as leafletMap, tileLayer } from "/app/vendor/leaflet/leaflet.esm.js";
import { api } from "/app/api.js";
import { slug } from "/app/dom.js";

/// What `GET /api/tiles` said, read again after a minute (a file imported while the page is open is used by the
/// maps drawn after that); a failed read is not kept.
const TILES_READ_AGAIN_AFTER = 60_000;
let offline = null;

function offlineTiles() {
  if (!offline || Date.now() - offline.at > TILES_READ_AGAIN_AFTER) {
    const reading = {
      at: Date.now(),
      answer: api("GET", "/api/tiles").catch(() => {
        if (offline === reading) offline = null;
        return { available: false };
      }),
    };
    offline = reading;
  }
  return offline.answer;
}

/// A map at the tenant's centre and its zoom for `context` ("create", "view" or "list"). Its base layer is added
/// once the appliance has said whether it holds offline tiles. `minZoom: 0` keeps the map free to zoom out past
/// the tiles' own least zoom (where they are not drawn), as it is without tiles.
export function makeMap(element, settings, context) {
  const map = leafletMap(element, { attributionControl: false, keyboard: true, minZoom: 0 })
    .setView([settings.mapCenter.latitude, settings.mapCenter.longitude], settings.mapZoom[context]);
  let removed = false;
  map.on("unload", () => { removed = true; });
  offlineTiles().then((tiles) => {
    if (removed) return;
    if (tiles.available) offlineLayer(tiles, map);
    else if (settings.tileURLTemplate) tileLayer(settings.tileURLTemplate, { maxZoom: 19 }).addTo(map);
  });
  return map;
}

/// The imported tiles: drawn from their least zoom, enlarged past their greatest, asked for only inside their
/// bounds (the appliance has no others), and credited as the file says.
function offlineLayer(tiles, map) {
  const options = { maxZoom: 20 };
  if (Number.isInteger(tiles.minZoom)) options.minZoom = tiles.minZoom;
  if (Number.isInteger(tiles.maxZoom)) options.maxNativeZoom = tiles.maxZoom;
  if (Array.isArray(tiles.bounds) && tiles.bounds.length === 4) {
    const [west, south, east, north] = tiles.bounds;
    options.bounds = [[south, west], [north, east]];
  }
  const credit = plainText(tiles.attribution);
  if (credit) {
    options.attribution = escaped(credit);
    control.attribution({ prefix: false }).addTo(map);
  }
  tileLayer("/tiles/{z}/{x}/{y}", options).addTo(map);
}

/// An MBTiles attribution is often HTML ("&copy; <a href=…>OpenStreetMap</a>"): only its words are shown. The
/// inert document DOMParser makes runs no script and loads nothing.
function plainText(html) {
  if (!html) return "";
  return (new DOMParser().parseFromString(String(html), "text/html").body.textContent ?? "").trim();
}

/// Leaflet writes attributions as HTML: the words go in escaped, so they are shown as they are.
const escaped = (text) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/// The pager lists a tenant's maps show: an OSP's own, or those of every OSP a NOC has an active link to.
export async function visiblePagerLists(membership) {
  if (membership.tenantKind === "OSP") return api("GET", "/api/pager-lists");
  const osps = (await api("GET", "/api/osps")).filter((osp) => osp.linkStatus === "active");
  const lists = await Promise.all(osps.map((osp) => api("GET", `/api/pager-lists?osp=${encodeURIComponent(osp.id)}`)));
  return lists.flat();
}

/// Each list's region outlined and named; an inactive list's is dashed. Clicks go through to the map.
export function regionsLayer(lists) {
  const features = lists.filter((list) => list.region)
    .map((list) => ({ type: "Feature", geometry: list.region, properties: { name: list.name, active: list.active } }));
  return geoJSON({ type: "FeatureCollection", features }, {
    style: (feature) => ({ className: `region${feature.properties.active ? "" : " inactive"}`, weight: 1.5, fillOpacity: 0.06 }),
    onEachFeature: (feature, layer) => layer.bindTooltip(`Pager list: ${feature.properties.name}`, { sticky: true }),
  });
}

/// One ECO's point or line, coloured by its display status.
export function ecoLayer(eco) {
  const className = `eco-shape ${slug(eco.displayStatus)}`;
  return geoJSON(eco.location, {
    pointToLayer: (_, latlng) => circleMarker(latlng, { radius: 8, className, weight: 3, fillOpacity: 0.5 }),
    style: { className, weight: 4 },
  });
}
