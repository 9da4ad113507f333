// Small helpers the page's modules share: building elements, the API, times.

/** An element with attributes (`class`, `data-*`, properties for the rest) and children. */
export const h = (tag, attributes = {}, ...children) => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class" || name.startsWith("data-") || name.startsWith("aria-") || name === "title")
      element.setAttribute(name, String(value));
    else element[name] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
};

export const $ = (id) => document.getElementById(id);

let csrf = null;
export const setCsrf = (token) => {
  csrf = token;
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** JSON from the console's API; a signed-out operator goes back to the sign-in page. */
export const api = async (path, { method = "GET", body } = {}) => {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401 && !path.startsWith("/login")) {
    location.assign("/login");
    throw new ApiError(401, "signed out");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const issues = (answer.issues ?? []).map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new ApiError(
      response.status,
      `${answer.error ?? response.statusText}${issues ? ` (${issues})` : ""}`,
    );
  }
  return answer;
};

const pad = (n) => String(n).padStart(2, "0");

/** A time as the operator reads it: hh:mm:ss today, else the date too (local time). */
export const clock = (iso) => {
  const d = new Date(iso);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${dateOf(d)} ${time}`;
};
const dateOf = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The value of a datetime-local input (local time) as ISO 8601 with offset, or undefined. */
export const isoOfLocal = (value) => {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** A Date as a datetime-local input's value. */
export const localOf = (d) =>
  `${dateOf(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** Fills a <select> with options after its first ("all"). */
export const fillSelect = (select, options) => {
  for (const { value, label } of options) select.append(h("option", { value }, label));
};

export const STATUS_LABEL = { exercise: "演练 Exercise", test: "测试 Test" };
