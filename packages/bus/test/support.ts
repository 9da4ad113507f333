import { type Bus, connectBus, type TopologyOptions } from "@tongbao/bus";
import { type NatsServer, startNats } from "@tongbao/testkit";

export interface Harness extends AsyncDisposable {
  readonly server: NatsServer;
  readonly bus: Bus;
  /** Another connection to the same server, e.g. a second city or a restarted service. */
  connect(name: string): Promise<Bus>;
}

/** A real nats-server of the test's own and a bus connected to it; both go away with the harness. */
export const startHarness = async (topology: TopologyOptions = {}): Promise<Harness> => {
  const server = await startNats();
  const opened: Bus[] = [];
  const connect = async (name: string) => {
    const bus = await connectBus({ servers: server.url, name, topology });
    opened.push(bus);
    return bus;
  };
  const bus = await connect("test");
  return {
    server,
    bus,
    connect,
    [Symbol.asyncDispose]: async () => {
      for (const b of opened) await b.close().catch(() => undefined);
      await server[Symbol.asyncDispose]();
    },
  };
};

export { waitFor } from "@tongbao/testkit";
