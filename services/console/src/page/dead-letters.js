// Dead letters: what a consumer gave up on, why, and re-driving it (once) or dropping it.
import { $, api, clock, h } from "./dom.js";

const say = (text) => {
  $("dlq-message").textContent = text;
};

const load = async () => {
  const consumer = $("dlq-consumer").value.trim();
  try {
    const { deadLetters } = await api(
      `/api/dead-letters${consumer ? `?consumer=${encodeURIComponent(consumer)}` : ""}`,
    );
    $("dlq-body").replaceChildren(...deadLetters.reverse().map(row));
    if (deadLetters.length === 0) say("没有死信 No dead letters.");
  } catch (error) {
    say(error.message);
  }
};

const act = async (action, selector, confirmText) => {
  if (confirmText && !confirm(confirmText)) return;
  try {
    const outcome = await api(`/api/dead-letters/${action}`, { method: "POST", body: selector });
    say(
      action === "redrive"
        ? `已重投 re-driven ${outcome.redriven}, 跳过 skipped ${outcome.skipped} (already re-driven)`
        : `已删除 dropped ${outcome.dropped}`,
    );
  } catch (error) {
    say(error.message);
  }
  await load();
};

const row = (letter) => {
  const message = letter.event
    ? `${letter.event.type} · ${letter.event.origin}${letter.event.audience ? ` → ${letter.event.audience}` : ""} · ${letter.event.key}`
    : letter.subject || "(message gone)";
  return h(
    "tr",
    { "data-dlq-seq": letter.dlqSeq, class: letter.redriven ? "redriven" : "" },
    h("td", {}, letter.dlqSeq),
    h("td", {}, letter.consumer),
    h("td", {}, letter.reason, h("small", {}, ` ×${letter.attempts}`)),
    h(
      "td",
      { class: "key" },
      message,
      letter.directed ? h("span", { class: "badge directed" }, "定向 directed") : null,
    ),
    h("td", { class: "error-text", title: letter.error }, letter.error),
    h("td", {}, clock(letter.deadAt)),
    h(
      "td",
      { class: "actions" },
      letter.redriven
        ? h("span", { class: "muted" }, `已重投 re-driven ${clock(letter.redriven.at)}`)
        : h(
            "button",
            { type: "button", onclick: () => act("redrive", { dlqSeq: letter.dlqSeq }) },
            "重投 Re-drive",
          ),
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () =>
            act("drop", { dlqSeq: letter.dlqSeq }, `Drop dead letter ${letter.dlqSeq}? 删除后不可恢复`),
        },
        "删除 Drop",
      ),
    ),
  );
};

export const startDeadLetters = () => {
  $("dlq-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("dlq-redrive-consumer").addEventListener("click", () => {
    const consumer = $("dlq-consumer").value.trim();
    if (!consumer) return say("先填写消费者 Enter a consumer first.");
    return act("redrive", { consumer }, `Re-drive every dead letter of ${consumer}?`);
  });
  load();
};
