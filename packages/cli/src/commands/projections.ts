import { createProjector, readModelsNamed } from "@tongbao/projections";
import { Command } from "commander";
import { ExitCode } from "../exit.ts";
import { seconds } from "../format.ts";
import { act } from "../program-kit.ts";
import { startProgress } from "../progress.ts";

const PROGRESS_EVERY_MS = 200;

export const projectionsCommand = () =>
  new Command("projections").description("the read models in NATS KV").addCommand(
    new Command("rebuild")
      .description(
        "drop a read model (or all) and fold it again from the first event. Stop the projector service " +
          "first: both would write the same buckets; start it again afterwards and it resumes from the new checkpoints",
      )
      .argument("[name]", "one read model (default: all)")
      .action(
        act(async (session, _options, [name]) => {
          const models = readModelsNamed(name as string | undefined);
          const names = models.map((m) => m.name);
          session.out.note(
            "note: stop the projector service while rebuilding (both would write the same read models); start it again afterwards",
          );
          const bus = await session.bus();
          const projector = createProjector({ bus, models });
          try {
            const total = await bus.lastSeq("events");
            const progress = startProgress(session.out, `rebuild ${names.join(",")}`, total);
            // The checkpoints move as the rebuilt values are written: the slowest model is how far it got.
            const position = () =>
              Math.min(...projector.status().models.map((m) => m.checkpoint.events ?? 0), total);
            const timer = setInterval(() => progress.update(position(), position()), PROGRESS_EVERY_MS);
            const figures = await projector.rebuild(name as string | undefined).finally(() => {
              clearInterval(timer);
              progress.update(total, total);
              progress.stop();
            });
            session.out.result(
              figures,
              () =>
                `rebuilt ${figures.models.join(", ")}: ${figures.events} events in ${seconds(figures.seconds * 1000)} (${figures.eventsPerSecond} events/s)`,
            );
            return ExitCode.ok;
          } finally {
            await projector.stop();
          }
        }),
      ),
  );
