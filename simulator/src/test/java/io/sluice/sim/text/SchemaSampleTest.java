package io.sluice.sim.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaSampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode sample(String schema, long seed) throws Exception {
        return SchemaSample.of(JSON.readTree(schema.replace('\'', '"')), new SplittableRandom(seed));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'type':'string'}                                   | STRING",
        "{'type':'integer','minimum':3,'maximum':3}          | NUMBER",
        "{'type':'number','exclusiveMinimum':0}              | NUMBER",
        "{'type':'boolean'}                                  | BOOLEAN",
        "{'type':['null','integer']}                         | NUMBER",
        "{'anyOf':[{'type':'null'},{'type':'array'}]}        | ARRAY",
        "{'properties':{'a':{'type':'string'}}}              | OBJECT",
        "{'enum':[1,2]}                                      | NUMBER",
        "{'const':'x'}                                       | STRING",
        "{}                                                  | STRING",
    })
    void valueHasTheSchemasType(String schema, String nodeType) throws Exception {
        for (long seed = 0; seed < 20; seed++) {
            assertThat(sample(schema, seed).getNodeType().name()).as(schema).isEqualTo(nodeType);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3", "4", "5", "6", "7", "8"})
    void constraintsHold(long seed) throws Exception {
        JsonNode v = sample("{'type':'object','required':['n','unit','tags','when','short','x'],'properties':{"
                + "'n':{'type':'integer','minimum':1,'maximum':7},"
                + "'unit':{'type':'string','enum':['c','f']},"
                + "'tags':{'type':'array','minItems':2,'maxItems':3,'items':{'type':'string','minLength':5}},"
                + "'when':{'type':'string','format':'date'},"
                + "'short':{'type':'string','maxLength':3},"
                + "'x':{'$ref':'#/$defs/x'}},"
                + "'$defs':{'x':{'type':'object','required':['ok'],'properties':{'ok':{'type':'boolean'}}}}}", seed);

        assertThat(v.path("n").asInt()).isBetween(1, 7);
        assertThat(v.path("unit").asText()).isIn("c", "f");
        assertThat(v.path("tags").size()).isBetween(2, 3);
        v.path("tags").forEach(t -> assertThat(t.asText()).hasSizeGreaterThanOrEqualTo(5));
        assertThat(v.path("when").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(v.path("short").asText()).hasSizeLessThanOrEqualTo(3);
        assertThat(v.path("x").path("ok").isBoolean()).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3"})
    void recursiveRefsEnd(long seed) throws Exception {
        JsonNode v = sample("{'$ref':'#/$defs/node','$defs':{'node':{'type':'object','properties':{"
                + "'name':{'type':'string'},'children':{'type':'array','items':{'$ref':'#/$defs/node'}}}}}}", seed);
        assertThat(v.isObject()).isTrue();
    }
}
