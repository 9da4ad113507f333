import { get, type IncomingMessage } from "node:http";

export interface ServerSentEvent {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * A server-sent-events feed read over real HTTP (node:http, one connection of its own, closed with
 * it): the events with data parsed so far, and the comment lines seen.
 */
export const openEventStream = async (url: string, headers: Record<string, string>) => {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers, agent: false }, resolve).on("error", reject),
  );
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  let buffer = "";
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: ServerSentEvent = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) comments.push(line.slice(1).trim());
        const [field, ...rest] = line.split(": ");
        if (field === "id" || field === "event" || field === "data") event[field] = rest.join(": ");
      }
      if (event.data !== undefined) events.push(event);
    }
  });
  const ended = new Promise<void>((resolve) => response.once("close", resolve));
  return {
    response,
    events,
    comments,
    ended,
    close: async () => {
      response.destroy();
      await ended;
    },
  };
};
