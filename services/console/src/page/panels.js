// The panels that show what holds: risk map, measures, trace requests, pass lookup, and replay.
import { $, api, clock, h, isoOfLocal, localOf } from "./dom.js";
import { noticeRow } from "./feed.js";

const LEVELS = [
  ["low-3", "低风险三类 low-3"],
  ["low-2", "低风险二类 low-2"],
  ["low-1", "低风险一类 low-1"],
  ["medium-2", "中风险二类 medium-2"],
  ["medium-1", "中风险一类 medium-1"],
  ["high", "高风险 high"],
];
const REFRESH_MS = 10_000;

const failed = (where, error) =>
  where.replaceChildren(h("p", { class: "error" }, String(error.message ?? error)));

/** Keeps a panel current: loads now and every REFRESH_MS while the page is visible. */
const every = (load) => {
  const run = () => (document.hidden ? undefined : load());
  run();
  setInterval(run, REFRESH_MS);
};

export const startRisk = (metro) => {
  const input = $("risk-as-of");
  let asOf; // undefined: now, refreshed; else a fixed past moment
  $("risk-legend").replaceChildren(
    ...LEVELS.map(([level, label]) => h("li", {}, h("span", { class: `swatch level-${level}` }), label)),
    h("li", {}, h("span", { class: "swatch level-none" }), "无记录 no level"),
  );
  const load = async () => {
    try {
      const map = await api(`/api/risk${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ""}`);
      const byDistrict = new Map(map.districts.map((d) => [d.districtId, d]));
      const known = new Set(metro.cities.flatMap((c) => c.districts.map((d) => d.id)));
      const extra = map.districts.filter((d) => !known.has(d.districtId));
      $("risk-caption").textContent =
        `${asOf ? "截至 as of" : "当前 now"} ${clock(map.asOf)} · ${map.districts.length} 个区县有等级 districts with a level`;
      $("risk-map").replaceChildren(
        ...metro.cities.map((city) =>
          h(
            "div",
            { class: "city", "data-city": city.id },
            h("h3", {}, city.name),
            h(
              "div",
              { class: "districts" },
              [
                ...city.districts,
                ...extra
                  .filter((d) => d.city === city.id)
                  .map((d) => ({ id: d.districtId, name: d.districtId })),
              ].map((district) => {
                const risk = byDistrict.get(district.id);
                return h(
                  "span",
                  {
                    class: `district level-${risk?.level ?? "none"}`,
                    "data-district": district.id,
                    "data-level": risk?.level ?? "none",
                    title: risk
                      ? `${risk.level} since ${risk.effectiveFrom}\n${risk.measures.join("\n")}`
                      : "no level recorded",
                  },
                  district.name,
                );
              }),
            ),
          ),
        ),
      );
    } catch (error) {
      failed($("risk-map"), error);
    }
  };
  $("risk-form").addEventListener("submit", (event) => {
    event.preventDefault();
    asOf = isoOfLocal(input.value);
    load();
  });
  $("risk-now").addEventListener("click", () => {
    asOf = undefined;
    input.value = "";
    load();
  });
  every(() => (asOf === undefined ? load() : undefined));
};

const detailsOf = (details) =>
  Object.entries(details)
    .filter(
      ([, v]) =>
        ["string", "number"].includes(typeof v) ||
        (Array.isArray(v) && v.every((x) => typeof x === "string")),
    )
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`)
    .join(" · ");

export const startMeasures = () =>
  every(async () => {
    try {
      const { measures } = await api("/api/measures");
      $("measures-count").textContent = `${measures.length} 项 in effect`;
      $("measures-body").replaceChildren(
        ...measures.map((m) =>
          h(
            "tr",
            { "data-measure": m.measureId },
            h("td", {}, m.kind === "policy" ? "政策 policy" : "交通 traffic"),
            h("td", {}, m.origin),
            h("td", { class: "key" }, m.measureId),
            h("td", {}, clock(m.effectiveFrom)),
            h("td", { class: "details" }, detailsOf(m.details)),
          ),
        ),
      );
    } catch (error) {
      failed($("measures-body"), error);
    }
  });

const relayState = (r) => {
  if (r.relay === "none") return ["none", "无中继 no relay here"];
  if (r.pausedUntil) return ["paused", `暂停至 paused until ${clock(r.pausedUntil)}`];
  if (r.pastDeadline) return ["behind", "落后 behind"];
  return r.waiting === 0 ? ["caught-up", "已跟上 caught up"] : ["delivering", "投递中 delivering"];
};

export const startRelays = (metro) => {
  const nameOf = new Map(metro.cities.map((c) => [c.id, c.name]));
  every(async () => {
    try {
      const { relays } = await api("/api/relays");
      const behind = relays.filter((r) => r.pastDeadline).length;
      const waiting = relays.reduce((n, r) => n + (r.waiting ?? 0), 0);
      $("relays-count").textContent =
        `${waiting} 条待收 waiting${behind ? ` · ${behind} 市落后 behind` : ""}`;
      $("relays-body").replaceChildren(
        ...relays.map((r) => {
          const [state, label] = relayState(r);
          return h(
            "tr",
            { class: state === "behind" ? "overdue" : "", "data-city": r.city, "data-state": state },
            h("td", {}, nameOf.get(r.city) ?? r.city),
            h("td", { class: "count" }, r.relay === "none" ? "–" : String(r.waiting)),
            h("td", {}, r.oldestWaitingSince ? clock(r.oldestWaitingSince) : "–"),
            h("td", {}, r.relay === "none" ? "–" : `${r.secondsBehind} s`),
            h("td", {}, state === "behind" ? h("span", { class: "badge late" }, label) : label),
          );
        }),
      );
    } catch (error) {
      failed($("relays-body"), error);
    }
  });
};

export const startTraces = () =>
  every(async () => {
    try {
      const { open } = await api("/api/traces");
      const late = open.filter((r) => r.overdue).length;
      $("traces-count").textContent = `${open.length} 件未结 open${late ? ` · ${late} 件逾期 overdue` : ""}`;
      $("traces-body").replaceChildren(
        ...open.map((r) =>
          h(
            "tr",
            { class: r.overdue ? "overdue" : "" },
            h("td", { class: "key" }, r.requestId),
            h("td", {}, `${r.requester} → ${r.target}`),
            h("td", { class: "key" }, r.caseId),
            h("td", {}, `${r.answered}/${r.contacts}`),
            h(
              "td",
              {},
              clock(r.dueBy),
              r.overdue ? h("span", { class: "badge late" }, "逾期 overdue") : null,
            ),
          ),
        ),
      );
    } catch (error) {
      failed($("traces-body"), error);
    }
  });

export const startPasses = () => {
  $("pass-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    const at = isoOfLocal($("pass-at").value);
    if (at) query.set("at", at);
    if ($("pass-city").value) query.set("city", $("pass-city").value);
    const result = $("pass-result");
    try {
      const check = await api(`/api/passes/${encodeURIComponent($("pass-id").value.trim())}?${query}`);
      const { passId, status, ...details } = check;
      result.replaceChildren(
        h(
          "p",
          {},
          h("span", { class: `badge pass-${status}`, "data-pass-status": status }, status),
          ` ${passId}`,
        ),
        h("p", { class: "details" }, detailsOf(details)),
      );
    } catch (error) {
      failed(result, error);
    }
  });
};

export const startReplay = (metro) => {
  const now = new Date();
  $("replay-until").value = localOf(now);
  $("replay-since").value = localOf(new Date(now.getTime() - 3600_000));
  const cityName = (id) => metro.cities.find((c) => c.id === id)?.name.split(" ")[0] ?? id;
  $("replay-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams({
      since: isoOfLocal($("replay-since").value) ?? "",
      until: isoOfLocal($("replay-until").value) ?? "",
      stream: $("replay-stream").value,
      limit: $("replay-limit").value,
    });
    if ($("replay-type").value) query.set("type", $("replay-type").value);
    if ($("replay-origin").value) query.set("origin", $("replay-origin").value);
    $("replay-caption").textContent = "回放中 replaying…";
    try {
      const { events, truncated } = await api(`/api/replay?${query}`);
      $("replay-caption").textContent =
        `${events.length} 条 events${truncated ? " (已截断 truncated: narrow the window)" : ""}`;
      $("replay-list").replaceChildren(
        ...events.map((view) => noticeRow(view, { withReceipts: false, cityName })),
      );
    } catch (error) {
      $("replay-caption").textContent = "";
      failed($("replay-list"), error);
    }
  });
};
