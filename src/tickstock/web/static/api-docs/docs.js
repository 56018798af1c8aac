// Renders /api/openapi.json as a list of endpoints; DOM built with textContent only.

/** @param {string} tag @param {string} [text] @param {string} [cls] */
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** @param {any} schema */
function describeSchema(schema) {
  if (!schema) return "";
  const parts = [];
  if (schema.type) parts.push(Array.isArray(schema.type) ? schema.type.join("|") : schema.type);
  if (schema.enum) parts.push("one of " + schema.enum.join(", "));
  if (schema.minimum !== undefined) parts.push("≥ " + schema.minimum);
  if (schema.maximum !== undefined) parts.push("≤ " + schema.maximum);
  if (schema.default !== undefined) parts.push("default " + schema.default);
  if (schema.pattern) parts.push("pattern " + schema.pattern);
  if (schema.format) parts.push(schema.format);
  return parts.join("; ");
}

/** @param {string} path @param {string} method @param {any} op */
function renderOperation(path, method, op) {
  const section = el("section");
  const title = el("h2");
  title.append(el("span", method.toUpperCase(), "method"), el("span", path));
  section.append(title, el("p", op.summary || ""));
  const params = op.parameters || [];
  if (params.length) {
    const table = el("table");
    const head = el("tr");
    head.append(el("th", "parameter"), el("th", "in"), el("th", "schema"), el("th", "meaning"));
    table.append(head);
    for (const p of params) {
      const row = el("tr");
      row.append(el("td", p.name), el("td", p.in), el("td", describeSchema(p.schema)), el("td", p.description || ""));
      table.append(row);
    }
    section.append(table);
  }
  const codes = Object.keys(op.responses || {});
  section.append(el("p", "Responses: " + codes.map((c) => c + " " + (op.responses[c].description || "")).join(" · ")));
  return section;
}

async function main() {
  const status = document.getElementById("status");
  const target = document.getElementById("endpoints");
  if (!status || !target) return;
  try {
    const response = await fetch("/api/openapi.json", { credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const doc = await response.json();
    status.textContent = doc.info.title + " " + doc.info.version;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) target.append(renderOperation(path, method, op));
    }
  } catch (error) {
    status.textContent = "Could not load the API description: " + String(error);
  }
}

main();
