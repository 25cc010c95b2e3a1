// LangChain JS (`@langchain/openai`, Chat Completions) against the router: invoke and stream,
// tools bound and streamed, n=2, JSON mode, structured output, embeddings (the client's default
// encoding, base64) and the model list through the client it wraps; and with useResponsesApi, the
// Responses API plain and streamed.
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { model, routerUrl, run, weatherParameters } from './common.mjs';

const configuration = { baseURL: `${routerUrl}/v1` };
const llm = (fields = {}) => new ChatOpenAI({ model, apiKey: 'test-key', configuration, maxRetries: 0, ...fields });
const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: weatherParameters } };

await run({
  responses: async () => {
    // useResponsesApi: the same chat model, over the Responses API.
    const r = await llm({ maxTokens: 8, useResponsesApi: true }).invoke('Hello!');
    return { content: typeof r.content === 'string' ? r.content : r.content.map((p) => p.text ?? '').join(''), usage: r.usage_metadata };
  },
  responsesStream: async () => {
    let content = '';
    for await (const chunk of await llm({ maxTokens: 8, useResponsesApi: true }).stream('Stream please')) {
      content += typeof chunk.content === 'string' ? chunk.content : chunk.content.map((p) => p.text ?? '').join('');
    }
    return { content };
  },
  chat: async () => {
    const r = await llm({ maxTokens: 8 }).invoke('Hello!');
    return { content: r.content, finish: r.response_metadata.finish_reason, usage: r.usage_metadata };
  },
  chatStream: async () => {
    let content = '';
    let chunks = 0;
    for await (const chunk of await llm({ maxTokens: 8, streamUsage: true }).stream('Stream please')) {
      content += chunk.content;
      chunks++;
    }
    return { content, chunks };
  },
  tools: async () => {
    const r = await llm().bindTools([weather]).invoke('What is the weather in Paris?');
    const call = r.tool_calls[0];
    return { finish: r.response_metadata.finish_reason, id: call.id, name: call.name, arguments: call.args };
  },
  toolsStream: async () => {
    let whole;
    for await (const chunk of await llm().bindTools([weather], { tool_choice: 'required' }).stream('Weather?')) {
      whole = whole === undefined ? chunk : whole.concat(chunk);
    }
    const call = whole.tool_calls[0];
    return { id: call.id, name: call.name, arguments: call.args };
  },
  n2: async () => {
    const r = await llm({ n: 2, maxTokens: 6 }).generate([['Two answers']]);
    return { count: r.generations[0].length, contents: r.generations[0].map((g) => g.text) };
  },
  jsonMode: async () => {
    const r = await llm().withConfig({ response_format: { type: 'json_object' } }).invoke('Answer in JSON');
    return { parsed: JSON.parse(r.content) };
  },
  structured: async () => {
    const parsed = await llm().withStructuredOutput({
      title: 'city', type: 'object',
      properties: { name: { type: 'string' }, population: { type: 'integer', minimum: 0 } },
      required: ['name', 'population'],
    }, { method: 'jsonSchema' }).invoke('Describe a city');
    return { parsed };
  },
  embeddings: async () => {
    const v = await new OpenAIEmbeddings({ model, apiKey: 'test-key', configuration, maxRetries: 0 }).embedQuery('hello');
    return { dims: v.length, norm: Math.sqrt(v.reduce((s, x) => s + x * x, 0)), first: v.slice(0, 4) };
  },
});
