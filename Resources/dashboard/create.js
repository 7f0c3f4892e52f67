// Opening an ECO: place a point (or draw a line) on the map, say what it is and which contractor, see which
// pager list would be called (the contractor's regions are drawn on the map), submit once. The form's one
// Idempotency-Key makes a double click or a retried request return the same ECO instead of a second one.
import { circleMarker, polyline } from "/app/vendor/leaflet/leaflet.esm.js";
import { api, randomKey } from "/app/api.js";
import { h } from "/app/dom.js";
import { errorSlot, formError, whenSubmitted } from "/app/forms.js";
import { makeMap, regionsLayer } from "/app/map.js";
import { JOB_TYPES } from "/app/words.js";


export async function showCreate(view, { onCreated, onCancel }) {
  const idempotencyKey = randomKey();
  const [settings, osps] = await Promise.all([api("GET", "/api/settings"), api("GET", "/api/osps")]);
  const active = osps.filter((osp) => osp.linkStatus === "active");
  const problem = (field) => errorSlot(field);
  const shape = h("select", { name: "shape", "aria-label": "Shape" }, h("option", { value: "Point" }, "A point"), h("option", { value: "LineString" }, "A line"));
  const jobType = h("select", { name: "jobType" }, ...JOB_TYPES.map(([value, label]) => h("option", { value }, label)));
  const description = h("textarea", { name: "description", rows: 3, required: true });
  const osp = h("select", { name: "ospTenantID" }, ...active.map((o) => h("option", { value: o.id }, o.name)));
  const preview = h("p", { class: "preview", role: "status" }, "Click the map where the fiber is cut.");
  const mapElement = h("div", { class: "map", "aria-label": "Map: click to place the cut" });
  // Without a mouse: the same point typed in.
  const longitude = h("input", { name: "longitude", inputmode: "decimal", size: 10, "aria-label": "Longitude" });
  const latitude = h("input", { name: "latitude", inputmode: "decimal", size: 10, "aria-label": "Latitude" });
  const place = h("button", { type: "button", onclick: () => placeTyped() }, "Place");
  const submit = h("button", { class: "primary", type: "submit" }, "Open ECO");
  const form = h("form", { class: "card create", "aria-label": "New ECO" },
    h("h1", {}, "New ECO"),
    h("div", { class: "create-grid" },
      h("div", {}, mapElement, h("div", { class: "map-tools" }, h("label", {}, "Mark ", shape),
        h("button", { type: "button", onclick: () => clear() }, "Clear"),
        h("span", { class: "typed" }, "or type ", longitude, latitude, place)), preview, problem("location")),
      h("div", { class: "fields" },
        h("label", {}, "Job type", jobType, problem("jobType")),
        h("label", {}, "Description", description, problem("description")),
        h("label", {}, "Contractor (OSP)", osp, problem("ospTenantID")),
        formError(),
        h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => onCancel() }, "Cancel")))));
  view.replaceChildren(form);
  const map = makeMap(mapElement, settings, "create");
  let points = [];
  let drawn = null;
  let regions = null;

  /// The chosen contractor's pager-list regions; without them the map still places the cut.
  async function showRegions() {
    regions?.remove();
    regions = null;
    if (!osp.value) return;
    const lists = await api("GET", `/api/pager-lists?osp=${encodeURIComponent(osp.value)}`).catch(() => []);
    regions = regionsLayer(lists).addTo(map);
    regions.bringToBack();
  }

  function redraw() {
    drawn?.remove();
    drawn = null;
    if (points.length === 0) return;
    drawn = shape.value === "Point"
      ? circleMarker(points[0], { radius: 8, color: "#b42318" }).addTo(map)
      : polyline(points, { color: "#b42318", weight: 4 }).addTo(map);
  }

  function clear() {
    points = [];
    redraw();
    preview.textContent = "Click the map where the fiber is cut.";
  }

  async function lookUp() {
    if (points.length === 0 || !osp.value) return;
    const [lat, lon] = points[0];
    try {
      const found = await api("GET", `/api/regions/lookup?lon=${lon}&lat=${lat}&osp=${encodeURIComponent(osp.value)}`);
      preview.textContent = found.pagerList ? `Would page: ${found.pagerList.name}` : "No pager list covers this place: the ECO would fail to page.";
    } catch (error) {
      preview.textContent = error.message;
    }
  }

  function add(point) {
    points = shape.value === "Point" ? [point] : [...points, point];
    redraw();
    lookUp();
  }

  function placeTyped() {
    const lon = Number(longitude.value), lat = Number(latitude.value);
    if (longitude.value.trim() === "" || latitude.value.trim() === "" || !(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90)) {
      preview.textContent = "Type a longitude (−180 to 180) and a latitude (−90 to 90).";
      return;
    }
    add([lat, lon]);
    map.panTo([lat, lon]);
  }

  map.on("click", (event) => add([event.latlng.lat, event.latlng.lng]));
  shape.addEventListener("change", clear);
  osp.addEventListener("change", () => { lookUp(); showRegions(); });
  showRegions();

  whenSubmitted(form, async () => {
    const coordinates = points.map(([lat, lon]) => [lon, lat]);
    const location = shape.value === "Point" ? { type: "Point", coordinates: coordinates[0] } : { type: "LineString", coordinates };
    const created = await api("POST", "/api/ecos",
      { location: points.length ? location : null, jobType: jobType.value, description: description.value, ospTenantID: osp.value },
      { "Idempotency-Key": idempotencyKey });
    onCreated(created.eco);
  });
}
