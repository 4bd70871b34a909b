// Drives bootstrap.mjs's handler loading without a Runtime API, for NodeClientTest.
// usage: node node_driver.mjs <bootstrap file> <task root> <handler>
// Prints {"loaded": <function name>} or {"initError": <error body>}.
import { pathToFileURL } from 'node:url';

const [bootstrapFile, taskRoot, handler] = process.argv.slice(2);
const { loadHandler, errorBody } = await import(pathToFileURL(bootstrapFile).href);
try {
  const fn = await loadHandler(taskRoot, handler);
  process.stdout.write(JSON.stringify({ loaded: fn.name, result: await fn({ ping: 1 }, {}) }));
} catch (err) {
  process.stdout.write(JSON.stringify({ initError: errorBody(err) }));
}
