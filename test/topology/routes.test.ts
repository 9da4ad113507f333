// Cluster routes authenticate (infra/nats/render.ts renderCluster): two nodes given the route password
// form a cluster; a server that dials one of them without it is refused, and nothing it publishes
// reaches the cluster's clients. The generated cluster block itself is used, on free ports.
import { randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { freePorts, startNats } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { renderCluster, routeUrlEnvOf } from "../../infra/nats/render.ts";
import { report } from "./support.ts";

const HOSTS = ["node-a", "node-b"];

/** Does a message published on `from` reach a subscriber on `to` within a second? */
const reaches = async (from: string, to: string): Promise<boolean> => {
  const [pub, sub] = await Promise.all([connect({ servers: from }), connect({ servers: to })]);
  try {
    const subject = `route.check.${randomBytes(4).toString("hex")}`;
    const got = sub.subscribe(subject, { max: 1 });
    await sub.flush();
    const deadline = Date.now() + 3_000;
    const seen = (async () => {
      for await (const _ of got) return true;
      return false;
    })();
    // Interest crosses a route a moment after it forms: publish until seen or the deadline passes.
    while (Date.now() < deadline) {
      pub.publish(subject, "x");
      const done = await Promise.race([seen, new Promise((r) => setTimeout(() => r(undefined), 100))]);
      if (done === true) return true;
    }
    got.unsubscribe();
    return false;
  } finally {
    await pub.close();
    await sub.close();
  }
};

it("a cluster's routes admit only nodes with the route password", async () => {
  const password = `rt${randomBytes(12).toString("hex")}`;
  const ports = await freePorts(3);
  const clusterOf = (port: number) =>
    renderCluster("tongbao", HOSTS).replace("listen: 0.0.0.0:6222", `listen: "127.0.0.1:${port}"`);
  process.env.NATS_ROUTE_PASSWORD = password;
  HOSTS.forEach((host, i) => {
    process.env[routeUrlEnvOf(host)] = `nats-route://route:${password}@127.0.0.1:${ports[i]}`;
  });
  await using a = await startNats({ jetstream: false, extraConfig: clusterOf(ports[0] as number) });
  await using b = await startNats({ jetstream: false, extraConfig: clusterOf(ports[1] as number) });
  // A rogue server dials node A's route port with the right user and no password.
  const rogueCluster = `cluster { name: "tongbao", listen: "127.0.0.1:${ports[2]}", routes: ["nats-route://route@127.0.0.1:${ports[0]}"] }`;
  await using rogue = await startNats({ jetstream: false, extraConfig: rogueCluster });

  const members = await reaches(b.url, a.url);
  const intruder = await reaches(rogue.url, a.url);
  report("routes", {
    authenticatedNodes: members ? "routed" : "not routed",
    unauthenticatedNode: intruder ? "routed" : "refused",
  });
  expect(members).toBe(true);
  expect(intruder).toBe(false);
});
