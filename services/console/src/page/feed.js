// The live feed: notices as the bus stores them, newest first, each with its receipts.
import { $, api, clock, h, STATUS_LABEL } from "./dom.js";

const KEPT = 2000; // notices the page remembers
const SHOWN = 300; // notices it draws
const RECEIPTS_EVERY_MS = 2000;
const RECEIPTS_PER_ASK = 100;

const newestFirst = (a, b) => b.view.recordedAt.localeCompare(a.view.recordedAt) || b.view.seq - a.view.seq;

/** One notice's row: its envelope and summary; `receipts` fills in later. */
export const noticeRow = (view, { withReceipts = true, cityName = (id) => id } = {}) => {
  const route = view.audience ? `${view.origin} → ${view.audience}` : view.origin;
  const receipts = withReceipts
    ? h(
        "div",
        { class: "receipts", "data-role": "receipts" },
        view.expected.map((city) => chip(city, "unknown", undefined, cityName)),
      )
    : undefined;
  return h(
    "li",
    {
      class: `notice status-${view.status} stream-${view.stream}`,
      "data-id": view.id,
      "data-ref": view.ref,
      "data-type": view.type,
      "data-status": view.status,
    },
    h(
      "div",
      { class: "line" },
      h("time", { title: `stored ${view.recordedAt}; event time ${view.time}` }, clock(view.recordedAt)),
      STATUS_LABEL[view.status]
        ? h("span", { class: `badge ${view.status}` }, STATUS_LABEL[view.status])
        : null,
      h("span", { class: "type" }, view.type),
      h("span", { class: "route" }, route),
      h("span", { class: "key" }, view.key),
      view.stream === "direct"
        ? h("span", { class: "badge directed" }, "定向 directed · 内容不显示 data hidden")
        : null,
    ),
    view.summary ? h("div", { class: "summary" }, view.summary) : null,
    receipts,
  );
};

const chip = (city, state, at, cityName) =>
  h(
    "span",
    {
      class: `chip ${state}`,
      "data-city": city,
      "data-state": state,
      title: at ? `acknowledged ${at}` : state,
    },
    state === "acknowledged" ? "✓ " : state === "overdue" ? "! " : "… ",
    cityName(city),
    at ? h("small", {}, ` ${clock(at)}`) : null,
  );

export const startFeed = (metro) => {
  const names = new Map(metro.cities.map((c) => [c.id, c.name.split(" ")[0]]));
  const cityName = (id) => names.get(id) ?? id;
  const items = new Map(); // ref → { view, element, receipts }
  const list = $("feed-list");
  const state = $("feed-state");
  let drawing = false;

  const filtered = () => {
    const city = $("feed-city").value;
    const type = $("feed-type").value;
    return [...items.values()]
      .filter(
        ({ view }) =>
          (!city || view.origin === city || view.audience === city) && (!type || view.type === type),
      )
      .sort(newestFirst);
  };

  const draw = () => {
    drawing = false;
    const shown = filtered();
    list.replaceChildren(...shown.slice(0, SHOWN).map((item) => item.element));
    $("feed-count").textContent =
      `${shown.length} 条 notices${shown.length > SHOWN ? ` (最新 ${SHOWN} shown)` : ""}`;
  };
  const redraw = () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(draw);
  };

  const forget = () => {
    if (items.size <= KEPT) return;
    const oldest = [...items.values()].sort(newestFirst).slice(KEPT);
    for (const item of oldest) items.delete(item.view.ref);
  };

  const showReceipts = (item, report) => {
    item.receipts = report;
    const acknowledged = new Map(report.acknowledged.map((a) => [a.city, a.at]));
    const overdue = new Set(report.overdue);
    const chips = report.expected.map((city) =>
      acknowledged.has(city)
        ? chip(city, "acknowledged", acknowledged.get(city), cityName)
        : chip(city, overdue.has(city) ? "overdue" : "pending", undefined, cityName),
    );
    const done = report.pending.length === 0;
    const tally = h(
      "span",
      { class: `tally ${done ? "done" : report.overdue.length ? "late" : ""}` },
      `${report.acknowledged.length}/${report.expected.length}`,
    );
    item.element.querySelector("[data-role=receipts]").replaceChildren(tally, ...chips);
    item.element.dataset.receipts = done ? "complete" : report.overdue.length ? "overdue" : "pending";
  };

  const askReceipts = async () => {
    const wanted = filtered()
      .slice(0, SHOWN)
      .filter(
        (item) =>
          item.view.expected.length > 0 && (item.receipts === undefined || item.receipts.pending.length > 0),
      )
      .slice(0, RECEIPTS_PER_ASK);
    if (wanted.length === 0) return;
    const byNotice = new Map(wanted.map((item) => [`${item.view.origin}.${item.view.id}`, item]));
    const { receipts } = await api(
      `/api/receipts?notices=${encodeURIComponent([...byNotice.keys()].join(","))}`,
    );
    for (const report of receipts) {
      const item = byNotice.get(report.notice);
      if (item) showReceipts(item, report);
    }
  };
  const pollReceipts = async () => {
    try {
      await askReceipts();
    } catch {
      // the next round asks again
    }
    setTimeout(pollReceipts, RECEIPTS_EVERY_MS);
  };

  const source = new EventSource("/api/feed");
  source.addEventListener("open", () => {
    state.dataset.state = "live";
    state.textContent = "● 实时 live";
  });
  source.addEventListener("error", () => {
    state.dataset.state = "reconnecting";
    state.textContent = "重连中 reconnecting";
  });
  source.addEventListener("notice", (message) => {
    const view = JSON.parse(message.data);
    if (items.has(view.ref)) return;
    items.set(view.ref, { view, element: noticeRow(view, { cityName }), receipts: undefined });
    forget();
    redraw();
  });
  $("feed-city").addEventListener("change", redraw);
  $("feed-type").addEventListener("change", redraw);
  pollReceipts();
};
