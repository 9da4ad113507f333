// docker-compose.yml is checked without a Docker engine: its YAML, and that everything it refers to
// exists and agrees (mounted files, volumes, dependencies, the servers' users and variables).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isSupportedServer } from "@tongbao/bus";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../..", import.meta.url));

interface Service {
  image?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const natsConfigOf = (service: Service) => {
  const mount = service.volumes?.find((v) => v.endsWith(":/etc/nats/nats.conf:ro"));
  return mount === undefined ? undefined : readFileSync(join(root, mount.split(":")[0] as string), "utf8");
};

describe("docker-compose.yml", () => {
  it("runs every nats-server from an official image Tongbao supports (2.12 or later)", () => {
    const natsImages = services.flatMap(([, service]) =>
      natsConfigOf(service) === undefined ? [] : [service.image ?? ""],
    );
    expect(natsImages.length).toBeGreaterThan(0);
    for (const image of natsImages) {
      const version = /^nats:(\d+\.\d+)/.exec(image)?.[1];
      expect(version, `${image} is an official nats image with a version`).toBeDefined();
      expect(isSupportedServer(`${version}.0`), `${image} is 2.12 or later`).toBe(true);
    }
  });

  it("mounts only files that exist and volumes it declares", () => {
    for (const [name, service] of services) {
      expect(service.image, `${name} has an image`).toBeTruthy();
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0] as string;
        if (source.startsWith("."))
          expect(existsSync(join(root, source)), `${name} mounts ${source}`).toBe(true);
        else expect(compose.volumes, `${name}'s volume ${source} is declared`).toHaveProperty(source);
      }
    }
  });

  it("starts services after healthy servers that exist", () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
        if (condition === "service_healthy") expect(compose.services[dependency]?.healthcheck).toBeDefined();
      }
    }
  });

  it("gives every nats-server each variable its config reads", () => {
    for (const [name, service] of services) {
      const config = natsConfigOf(service);
      if (config === undefined) continue;
      // Variables outside comments and quoted strings ("$KV.>" is a subject, not a variable).
      const code = config.replace(/#.*$/gm, "").replace(/"[^"]*"/g, "");
      for (const [, variable] of code.matchAll(/\$([A-Z][A-Z0-9_]+)/g)) {
        expect(service.environment, `${name} sets ${variable}`).toHaveProperty(variable as string);
      }
    }
  });

  it("connects each service to servers that exist, as a user they define, with its password", () => {
    for (const [name, service] of services) {
      const env = service.environment ?? {};
      if (env.NATS_URL === undefined) continue;
      for (const url of env.NATS_URL.split(",")) {
        const host = new URL(url).hostname;
        const server = compose.services[host];
        expect(server, `${name} connects to ${host}`).toBeDefined();
        const config = natsConfigOf(server as Service) ?? "";
        expect(config, `${host} defines the user ${env.NATS_USER}`).toContain(`user: "${env.NATS_USER}"`);
        // As infra/nats passwordEnvOf names it: suzhou-services reads NATS_PASSWORD_SUZHOU_SERVICES.
        const passwordVariable = `NATS_PASSWORD_${env.NATS_USER?.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
        expect(env.NATS_PASSWORD, `${name} has ${passwordVariable}`).toBe(
          (server as Service).environment?.[passwordVariable],
        );
      }
    }
  });

  it("runs each leaf-mode service on its own city's leaf node, leaving the topology to admin", () => {
    // Whatever connects to a city's leaf node must run in leaf mode: single mode would look for the
    // hub's streams there.
    const onALeaf = services.filter(([, service]) => /\/\/leaf-/.test(service.environment?.NATS_URL ?? ""));
    for (const [name, service] of onALeaf)
      expect(service.environment?.NATS_MODE, `${name} runs in leaf mode`).toBe("leaf");
    const leafServices = services.filter(([, service]) => service.environment?.NATS_MODE === "leaf");
    expect(leafServices.map(([name]) => name)).toEqual(
      expect.arrayContaining(["gateway-suzhou", "projector-suzhou", "relay-suzhou"]),
    );
    for (const [name, service] of leafServices) {
      const env = service.environment ?? {};
      expect(env.NATS_CITY, `${name} names its city`).toBeTruthy();
      for (const url of (env.NATS_URL ?? "").split(","))
        expect(new URL(url).hostname, `${name} connects to its city's leaf`).toBe(`leaf-${env.NATS_CITY}`);
      expect(env.NATS_TOPOLOGY, `${name} runs with NATS_TOPOLOGY=off`).toBe("off");
    }
  });
});
