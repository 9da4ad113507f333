// Run: `pnpm bench` (or `node test/bench/standby.ts`). How long a city's notices stop when its
// active relay is killed -9 and the standby relay takes over (test/hardening/faults/standby.ts).
import { measureStandbyTakeover } from "../hardening/faults/standby.ts";

const runs: number[] = [];
for (let i = 0; i < 3; i++) {
  const takeover = await measureStandbyTakeover();
  if (takeover.lost > 0 || takeover.outOfOrder > 0)
    throw new Error(`standby takeover lost ${takeover.lost}, ${takeover.outOfOrder} out of order`);
  runs.push(takeover.seconds);
}
const median = [...runs].sort((a, b) => a - b)[1] ?? Number.NaN;
console.log(
  `standby relay takeover: ${median.toFixed(2)} s (kill -9 of the active relay to the standby's first notice; runs ${runs.map((s) => s.toFixed(2)).join(" ")}; takeover time 3 s)`,
);
