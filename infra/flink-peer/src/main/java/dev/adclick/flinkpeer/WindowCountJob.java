package dev.adclick.flinkpeer;

import com.sun.management.OperatingSystemMXBean;
import dev.adclick.flinkpeer.Clicks.Click;
import dev.adclick.flinkpeer.Clicks.Counts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.kafka.common.TopicPartition;

/**
 * A 5-minute tumbling count per campaign (clicks and exact distinct users, by the click's
 * event time {@code ts}) over a Kafka topic, from the earliest offsets to the given end
 * offsets, on a local MiniCluster with one task slot.
 *
 * <p>Usage: {@code WindowCountJob <bootstrap> <topic> <partition:endOffset,...> <maxOutOfOrderSeconds>}
 *
 * <p>Prints one {@code WINDOW <campaign> <windowStartMs> <clicks> <users>} line per window
 * and the process CPU time at four marks ({@code MARK <name> <cpuNanos> <wallNanos>}):
 * {@code main} (JVM start-up done), {@code submit} (job graph built, about to run),
 * {@code first} (first record decoded) and {@code end} (job finished).
 */
public final class WindowCountJob {
  private WindowCountJob() {}

  public static void main(String[] args) throws Exception {
    Marks.print("main");
    if (args.length != 4) {
      System.err.println(
          "usage: WindowCountJob <bootstrap> <topic> <partition:endOffset,...> <maxOutOfOrderSeconds>");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    Map<TopicPartition, Long> endOffsets = new HashMap<>();
    for (String part : args[2].split(",")) {
      String[] p = part.split(":");
      endOffsets.put(new TopicPartition(topic, Integer.parseInt(p[0])), Long.parseLong(p[1]));
    }
    Duration outOfOrder = Duration.ofSeconds(Long.parseLong(args[3]));

    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);

    Properties kafka = new Properties();
    kafka.setProperty("fetch.max.bytes", String.valueOf(64 * 1024 * 1024));
    kafka.setProperty("max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024));
    KafkaSource<Click> source =
        KafkaSource.<Click>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(topic)
            .setGroupId(topic + ".flink-peer")
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.offsets(endOffsets))
            .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new Clicks.ClickDeserializer()))
            .setProperties(kafka)
            .build();
    WatermarkStrategy<Click> watermarks =
        WatermarkStrategy.<Click>forBoundedOutOfOrderness(outOfOrder)
            .withTimestampAssigner((click, kafkaTs) -> click.ts);

    env.fromSource(source, watermarks, "clicks")
        .keyBy(click -> click.campaign_id)
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(5)))
        .aggregate(new Clicks.CountClicks(), new WindowLine())
        .print();

    Marks.print("submit");
    env.execute("adclick flink peer: 5-minute clicks and distinct users per campaign");
    Marks.print("end");
  }

  static class WindowLine extends ProcessWindowFunction<Counts, String, String, TimeWindow> {
    @Override
    public void process(String campaign, Context ctx, Iterable<Counts> counts, Collector<String> out) {
      Counts c = counts.iterator().next();
      out.collect("WINDOW " + campaign + " " + ctx.window().getStart() + " " + c.clicks + " " + c.users.size());
    }
  }
}

/** Process CPU time marks, printed on stdout for the bench to read. */
final class Marks {
  private static volatile boolean first = true;

  private Marks() {}

  static void firstRecord() {
    if (!first) return;
    first = false;
    print("first");
  }

  static void print(String name) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.println("MARK " + name + " " + os.getProcessCpuTime() + " " + System.nanoTime());
  }
}
