package dev.adclick.flinkpeer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.HashSet;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The click fields the window count needs, their JSON decoding, and the per-window aggregate. */
public final class Clicks {
  private Clicks() {}

  /** A Flink POJO: public fields and a no-argument constructor. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Click {
    public String campaign_id;
    public String user_id;
    public long ts;

    public Click() {}
  }

  /** Jackson data binding of each Kafka value; a malformed click fails the job. */
  public static class ClickDeserializer implements DeserializationSchema<Click> {
    private transient ObjectReader reader;

    @Override
    public void open(InitializationContext context) {
      reader = new ObjectMapper().readerFor(Click.class);
    }

    @Override
    public Click deserialize(byte[] message) throws IOException {
      Marks.firstRecord();
      return reader.readValue(message);
    }

    @Override
    public boolean isEndOfStream(Click next) {
      return false;
    }

    @Override
    public TypeInformation<Click> getProducedType() {
      return TypeInformation.of(Click.class);
    }
  }

  /** Clicks and the exact set of distinct users of one (window, campaign). */
  public static class Counts {
    public long clicks;
    public HashSet<String> users = new HashSet<>();

    public Counts() {}
  }

  public static class CountClicks implements AggregateFunction<Click, Counts, Counts> {
    @Override
    public Counts createAccumulator() {
      return new Counts();
    }

    @Override
    public Counts add(Click click, Counts acc) {
      acc.clicks++;
      acc.users.add(click.user_id);
      return acc;
    }

    @Override
    public Counts getResult(Counts acc) {
      return acc;
    }

    @Override
    public Counts merge(Counts a, Counts b) {
      a.clicks += b.clicks;
      a.users.addAll(b.users);
      return a;
    }
  }
}
