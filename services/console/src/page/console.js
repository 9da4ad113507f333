// The operators' page: signs in, then starts each panel.
import { startDeadLetters } from "./dead-letters.js";
import { $, api, fillSelect, setCsrf } from "./dom.js";
import { startFeed } from "./feed.js";
import { startMeasures, startPasses, startRelays, startReplay, startRisk, startTraces } from "./panels.js";

const signIn = () => {
  const form = $("login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("login-error");
    error.hidden = true;
    try {
      await api("/login", { method: "POST", body: { token: $("token").value } });
      location.assign("/");
    } catch (failure) {
      error.textContent = failure.status === 401 ? "令牌无效 Not an operator's token" : failure.message;
      error.hidden = false;
    }
  });
};

const start = async () => {
  const session = await api("/api/session");
  setCsrf(session.csrf);
  $("operator").textContent = session.operator;
  $("metro-name").textContent = session.metro.name;
  const cities = session.metro.cities.map((c) => ({ value: c.id, label: c.name }));
  const types = session.types.map((t) => ({ value: t, label: t }));
  for (const id of ["feed-city", "pass-city", "replay-origin"]) fillSelect($(id), cities);
  fillSelect($("replay-origin"), [{ value: "metro", label: "通报系统 metro" }]);
  for (const id of ["feed-type", "replay-type"]) fillSelect($(id), types);
  $("sign-out").addEventListener("click", async () => {
    await api("/logout", { method: "POST", body: {} }).catch(() => undefined);
    location.assign("/login");
  });

  startFeed(session.metro);
  startRisk(session.metro);
  startMeasures();
  startRelays(session.metro);
  startTraces();
  startPasses();
  startDeadLetters();
  startReplay(session.metro);
};

if ($("login-form")) signIn();
else start();
