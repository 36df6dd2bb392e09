import type { Command } from "commander";

// The stack module pulls in kafkajs, pg, ioredis and the AWS SDK: load it only when a services command runs.
const stack = () => import("../services");

export function registerServicesCommand(program: Command): void {
  const services = program
    .command("services")
    .description(
      "The local stack: PostgreSQL, Redis, Kafka (KRaft) and s3proxy (see infra/README.md)",
    );

  services
    .command("up")
    .description(
      "Start what is not running and wait until every service answers; fetches the Kafka and s3proxy jars from Maven Central on first use (idempotent)",
    )
    .action(async () => {
      await (await stack()).servicesUp();
    });

  services
    .command("down")
    .description(
      "Stop the Kafka and s3proxy this checkout started (PostgreSQL and Redis, machine services, keep running)",
    )
    .action(async () => {
      await (await stack()).servicesDown();
    });

  services
    .command("status")
    .description(
      "One line per service (name, state, address); exits 0 when all are up, 1 otherwise",
    )
    .action(async () => {
      const { formatStatus, servicesStatus } = await stack();
      const states = await servicesStatus();
      for (const line of formatStatus(states)) process.stdout.write(`${line}\n`);
      process.exitCode = states.every((s) => s.state === "up") ? 0 : 1;
    });
}
