/** Splits an SSE body into its `data:` payloads and comment lines, as a strict client would read it. */
export function readServerSentEvents(body: string): { data: string[]; comments: string[] } {
  const data: string[] = [];
  const comments: string[] = [];
  for (const event of body.split("\n\n")) {
    for (const line of event.split("\n")) {
      if (line.startsWith("data: ")) data.push(line.slice("data: ".length));
      else if (line.startsWith(":")) comments.push(line);
    }
  }
  return { data, comments };
}
