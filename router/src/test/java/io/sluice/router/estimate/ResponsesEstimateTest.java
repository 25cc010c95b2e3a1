package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a Responses request is counted as the chat it amounts to (instructions as the system
 * message, input items as messages, flat function tools as chat tools), and its {@code
 * max_output_tokens} bounds the output estimate.
 */
class ResponsesEstimateTest {
  private static final ChatTemplate QWEN3 =
      TokenizerFiles.chatTemplate(java.nio.file.Path.of("src/test/resources/estimate/qwen3-mini/tokenizer.json"));
  private final ApproximateCounter counter = new ApproximateCounter(500);

  private static InferenceRequest responses(String json) {
    return Requests.of(ApiKind.RESPONSES, json);
  }

  /** The prompt text both templates render, so both the exact and the approximate counts agree. */
  private static void assertSamePrompt(InferenceRequest responses, InferenceRequest chat) {
    assertThat(PromptTexts.of(responses, QWEN3, 500)).isEqualTo(PromptTexts.of(chat, QWEN3, 500));
    assertThat(PromptTexts.of(responses, OverheadTemplate.CHATML, 500))
        .isEqualTo(PromptTexts.of(chat, OverheadTemplate.CHATML, 500));
  }

  @Test
  void instructionsAndAStringInputAreASystemAndAUserMessage() {
    assertSamePrompt(responses("""
        {"instructions": "Be brief.", "input": "Hello there"}"""), Requests.chat("""
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]}"""));
  }

  @Test
  void inputItemsAreMessagesWithTheirParts() {
    assertSamePrompt(responses("""
        {"input": [
          {"role": "developer", "content": "Rules."},
          {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "What is 2+2?"}]},
          {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "4"}]},
          {"role": "user", "content": "And 3+3?"}]}"""), Requests.chat("""
        {"messages": [{"role": "system", "content": "Rules."},
          {"role": "user", "content": [{"type": "input_text", "text": "What is 2+2?"}]},
          {"role": "assistant", "content": [{"type": "output_text", "text": "4"}]},
          {"role": "user", "content": "And 3+3?"}]}"""));
  }

  @Test
  void functionCallsAndTheirOutputsAreToolCallsAndToolMessages() {
    assertSamePrompt(responses("""
        {"tools": [{"type": "function", "name": "weather", "description": "Weather of a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}],
         "input": [{"role": "user", "content": "Weather in Paris and Rome?"},
          {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{\\"city\\":\\"Paris\\"}"},
          {"type": "function_call", "call_id": "c2", "name": "weather", "arguments": "{\\"city\\":\\"Rome\\"}"},
          {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
          {"type": "function_call_output", "call_id": "c2", "output": "rain"}]}"""), Requests.chat("""
        {"tools": [{"type": "function", "function": {"name": "weather", "description": "Weather of a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
         "messages": [{"role": "user", "content": "Weather in Paris and Rome?"},
          {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\":\\"Paris\\"}"}},
            {"id": "c2", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\":\\"Rome\\"}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
          {"role": "tool", "tool_call_id": "c2", "content": "rain"}]}"""));
  }

  @Test
  void everyPartOfTheRequestAddsToTheCount() {
    long input = counter.count(responses("""
        {"input": "Hello there, how are you today?"}""")).tokens();
    long withInstructions = counter.count(responses("""
        {"instructions": "Answer in the style of a pirate.", "input": "Hello there, how are you today?"}""")).tokens();
    long withTools = counter.count(responses("""
        {"instructions": "Answer in the style of a pirate.", "input": "Hello there, how are you today?",
         "tools": [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]}""")).tokens();
    long withImage = counter.count(responses("""
        {"instructions": "Answer in the style of a pirate.", "input": [{"role": "user", "content": [
           {"type": "input_text", "text": "Hello there, how are you today?"},
           {"type": "input_image", "image_url": "https://example.com/a.png"}]}],
         "tools": [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]}""")).tokens();

    assertThat(withInstructions).isGreaterThan(input);
    assertThat(withTools).isGreaterThan(withInstructions);
    assertThat(withImage).isEqualTo(withTools + 500);
  }

  @Test
  void maxOutputTokensBoundsTheOutputEstimate() {
    OutputPredictor predictor = new OutputPredictor(new OutputPredictor.Settings(0.9, 256, 100, 60, 20, 50, 100));

    assertThat(predictor.predict(responses("""
        {"input": "hi", "max_output_tokens": 40}"""), null).tokens()).isEqualTo(40);
    assertThat(predictor.predict(responses("""
        {"input": "hi"}"""), null).tokens()).as("the pool's learned estimate, as for chat").isEqualTo(256);
    assertThat(OutputPredictor.boundOf(responses("""
        {"input": "hi", "max_output_tokens": 40}"""))).isEqualTo(40);
  }
}
