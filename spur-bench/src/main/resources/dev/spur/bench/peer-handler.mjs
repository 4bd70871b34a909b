// The handler every system in `spur bench --peers` runs: a no-op answering as an API Gateway proxy would.
export const handler = async () => ({ statusCode: 200, body: "ok" });
