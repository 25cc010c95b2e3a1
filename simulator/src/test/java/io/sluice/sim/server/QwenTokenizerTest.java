package io.sluice.sim.server;

import io.sluice.sim.Prerequisites;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.sluice.sim.text.ChatTemplate;
import io.sluice.sim.text.HfTokenizer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uses the real Qwen3 tokenizer.json from the shared folder beside the repository. */
class QwenTokenizerTest {
    private static final Path QWEN3 = Path.of("../../shared/tokenizers/qwen3/tokenizer.json");

    @BeforeAll
    static void requireFile() {
        Prerequisites.require(Files.isRegularFile(QWEN3) ? null
                : "Qwen3 tokenizer not found at " + QWEN3.toAbsolutePath() + " (shared/ is not beside the repo)");
    }

    @Test
    void encodesWithoutTruncationOrSpecialTokens() {
        HfTokenizer tokenizer = new HfTokenizer(QWEN3);
        String longText = "The quick brown fox jumps over the lazy dog. ".repeat(200);

        assertThat(tokenizer.encode("Hello world")).hasSize(2);
        assertThat(tokenizer.encode(longText).length).isGreaterThan(1000);
    }

    @Test
    void chatMarkersAreSingleSpecialTokens() throws Exception {
        HfTokenizer tokenizer = new HfTokenizer(QWEN3);
        var messages = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("[{\"role\":\"user\",\"content\":\"Hello world\"}]");
        int[] ids = tokenizer.encode(ChatTemplate.render(messages, true));

        // <|im_start|> user \n Hello world <|im_end|> \n <|im_start|> assistant \n
        assertThat(ids).hasSize(10);
        assertThat(ids[0]).isEqualTo(151644);
    }

    @Test
    void serverCountsPromptTokensWithTheTokenizer() throws Exception {
        EngineOptions options = EngineOptions.local("qwen3-8b", 4096, Profiles.LLAMA3_8B_A100, 100.0).withTokenizer(QWEN3);
        try (SimHttp sim = new SimHttp(options)) {
            JsonObject t = new JsonObject(sim.post("/tokenize", new JsonObject().put("prompt", "Hello world")).body());
            JsonObject r = new JsonObject(sim.post("/v1/completions", new JsonObject().put("model", "qwen3-8b")
                    .put("prompt", "Hello world").put("max_tokens", 1)).body());

            assertThat(t.getInteger("count")).isEqualTo(2);
            assertThat(r.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(2);
        }
    }
}
