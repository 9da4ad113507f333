import { randomBytes } from "node:crypto";
import { Buckets, type Bus, connectBus, PermissionDeniedError, Streams, streamNamesOf } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { usersOf } from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";
import { report, waitFor } from "./support.ts";

const CITIES = ["hangzhou", "shaoxing", "ningbo"];
const DENIED = /Permissions Violation/i;

describe("per-city NATS users, as generated from the metro definition", () => {
  it("refuse another city's name, another city's directed messages, and an operator's publish", async () => {
    const users = usersOf(CITIES, CITIES, streamNamesOf({ kind: "single" }), true);
    // nats-server parses an environment value as a config value: a password starts with a letter.
    const passwords = new Map(users.map((u) => [u.user, `pw${randomBytes(12).toString("hex")}`]));
    // The server reads each password from its environment, as in production.
    for (const u of users) process.env[u.passwordEnv] = passwords.get(u.user);
    await using server = await startNats({ extraConfig: renderAuthorization(users) });
    const opened: Bus[] = [];
    const as = async (user: string, topology = false) => {
      const bus = await connectBus({
        servers: server.url,
        name: `${user}-test`,
        credentials: { kind: "user", user, password: passwords.get(user) ?? "" },
        ...(topology ? {} : { topology: false as const }),
      });
      opened.push(bus);
      return bus;
    };
    try {
      await as("admin", true);
      const [hangzhou, shaoxing, ningbo, operator] = await Promise.all(
        ["hangzhou", "shaoxing", "ningbo", "operator"].map((user) => as(user)),
      );
      if (!hangzhou || !shaoxing || !ningbo || !operator) throw new Error("not connected");

      // 1. A city publishes under its own name only: NATS itself refuses the other.
      await hangzhou.publish(eventOf("pass.issued", { origin: "hangzhou", source: undefined }));
      const spoof = hangzhou.publish(eventOf("pass.issued", { origin: "ningbo", source: undefined }));
      await expect(spoof).rejects.toThrow(PermissionDeniedError);

      // 2. A trace request from Hangzhou to Shaoxing: Shaoxing's relay has it, Ningbo cannot read it.
      const request = eventOf("trace.requested", { origin: "hangzhou", source: undefined });
      await hangzhou.publish(request);
      const received: TongbaoEvent[] = [];
      const relay = await shaoxing.subscribe({
        city: "shaoxing",
        service: "relay-direct",
        stream: "direct",
        handler: async (event) => {
          received.push(event);
        },
      });
      await waitFor("shaoxing's relay to receive the request", () => received.length === 1);
      await relay.stop();
      const parts = {
        origin: "hangzhou",
        type: "trace.requested",
        key: request.subject,
        audience: "shaoxing",
      };
      expect((await shaoxing.lastEvent(parts))?.event.subject).toBe(request.subject);
      // Shaoxing replays its own directed messages under its own user.
      const own: string[] = [];
      for await (const { event } of shaoxing.replay({ stream: "direct", audience: "shaoxing" }))
        own.push(event.subject);
      expect(own).toEqual([request.subject]);
      await expect(ningbo.lastEvent(parts)).rejects.toThrow(DENIED);
      const snoop = async () => {
        for await (const _ of ningbo.replay({ stream: "direct", audience: "shaoxing" })) return;
      };
      await expect(snoop()).rejects.toThrow(DENIED);
      const steal = ningbo.subscribe({
        city: "ningbo",
        service: "relay-direct",
        stream: "direct",
        audience: "*",
        handler: async () => {},
      });
      await expect(steal).rejects.toThrow(DENIED);
      const ningboReplay = ningbo.connection.jsm.consumers.info(Streams.direct, "shaoxing-relay-direct");
      await expect(ningboReplay).rejects.toThrow(DENIED);

      // 2b. Steering a relay is its city's alone: Ningbo can neither pause Shaoxing's, nor reset it
      // (which redelivers), nor take its pin, nor count takeovers under its name.
      const { jsm: raw } = ningbo.connection;
      const later = new Date(Date.now() + 3_600_000);
      await expect(raw.consumers.pause(Streams.direct, "shaoxing-relay-direct", later)).rejects.toThrow(
        DENIED,
      );
      await expect(raw.consumers.reset(Streams.direct, "shaoxing-relay-direct")).rejects.toThrow(DENIED);
      await expect(raw.consumers.unpin(Streams.direct, "shaoxing-relay-direct", "active")).rejects.toThrow(
        DENIED,
      );
      const countAs = (consumer: string) =>
        ningbo.connection.js.publish(`$KV.${Buckets.takeovers}.${consumer}.1`, "9");
      await expect(countAs("shaoxing-relay-direct")).rejects.toThrow(DENIED);
      await countAs("ningbo-relay-direct");
      const ownPause = await shaoxing.pauseDeliveries({ city: "shaoxing", service: "relay-direct" }, later);
      expect(ownPause.map((p) => p.pausedUntil?.getTime())).toContain(later.getTime());
      await shaoxing.resumeDeliveries({ city: "shaoxing", service: "relay-direct" });

      // 3. Operators read and replay, and can neither publish nor purge.
      let replayed = 0;
      for await (const _ of operator.replay()) replayed++;
      expect(replayed).toBe(1);
      const operatorPublish = operator.publish(
        eventOf("pass.issued", { origin: "hangzhou", source: undefined }),
      );
      await expect(operatorPublish).rejects.toThrow(PermissionDeniedError);
      await expect(operator.connection.jsm.streams.purge(Streams.events)).rejects.toThrow(DENIED);
      expect((await operator.connection.jsm.streams.info(Streams.events)).state.messages).toBe(1);

      report("permissions", {
        spoofedPublish: "refused (PermissionDeniedError)",
        thirdCityDirectRead: "refused (direct get, replay, subscribe, consumer info)",
        othersRelaySteering: "refused (pause, reset, unpin, takeover count)",
        operatorPublish: "refused",
        operatorPurge: "refused",
        operatorReplayed: replayed,
      });
    } finally {
      for (const bus of opened) await bus.close();
    }
  });
});
