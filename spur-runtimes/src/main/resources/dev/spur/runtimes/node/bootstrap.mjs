// Spur's Node.js runtime client: runs Lambda Node.js handlers against the Runtime API.
//
// Behaves like AWS's aws-lambda-nodejs-runtime-interface-client (handler resolution, the context
// object and its callbacks, error shapes, console format) using Node's standard library only; the
// Runtime API is spoken over one kept-alive connection (runtime-api.mjs).
//
// Invocation life cycle, as on Lambda: an async handler (one returning a promise) completes when its
// promise settles; a callback handler when it calls callback(err, result) -- by default only once
// the event loop has drained (context.callbackWaitsForEmptyEventLoop) -- or context.succeed/fail/done;
// a handler that does neither completes with null when the event loop drains. The first completion
// wins; later ones are ignored. An uncaught exception or unhandled rejection is reported as the
// invocation's error (or as the init error) and the process exits, as Lambda's does.
//
// Exit status: 1 after an init error, 2 when the Runtime API fails or answers 500, 128 after an
// unhandled rejection, 129 after an uncaught exception.
import { existsSync, realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { format, types } from 'node:util';
import { RuntimeApi } from './runtime-api.mjs';

// ---- Runtime API -------------------------------------------------------------------------------

const api = new RuntimeApi(process.env.AWS_LAMBDA_RUNTIME_API ?? '');

async function post(path, body, errorType) {
  const res = await api.post(path, body, errorType);
  if (res.status === 500) {
    throw new Error(`Runtime API answered 500: ${res.body}`);
  }
  if (res.status !== 202) {
    process.stderr.write(`spur: Runtime API answered ${res.status}: ${res.body}\n`);
  }
}

function apiFailed(err) {
  process.stderr.write(`spur: Runtime API failed, exiting: ${err?.stack ?? err}\n`);
  process.exit(2);
}

// ---- errors ------------------------------------------------------------------------------------

const runtimeError = (name) => class extends Error {
  get name() { return `Runtime.${name}`; }
};
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection');
const NodeJsExit = runtimeError('NodeJsExit');

/** Lambda's error body: {errorType, errorMessage, trace}; a thrown non-Error is typed by typeof. */
function errorBody(err) {
  try {
    if (types.isNativeError(err) || (typeof err?.name === 'string' && typeof err?.message === 'string' && typeof err?.stack === 'string')) {
      return { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}

/** The log form of an error, as Lambda prints "Invoke Error": a tab, then JSON with the stack as lines. */
function formatted(err) {
  const error = err instanceof Error ? err : new Error(err);
  try {
    return '\t' + JSON.stringify(error, (_k, v) => (v instanceof Error
      ? { errorType: v.name, errorMessage: v.message, code: v.code, ...v, stack: String(v.stack).split('\n') }
      : v));
  } catch {
    return '\t' + JSON.stringify(errorBody(error));
  }
}

// ---- console -----------------------------------------------------------------------------------

let requestId; // of the invocation in progress; undefined during init, printed as such like Lambda

/**
 * console.* as Lambda patches it: `<ISO time>\t<request id>\t<LEVEL>\t<message>`, one line per call;
 * with AWS_LAMBDA_LOG_FORMAT=JSON one JSON record per call (timestamp, level, requestId, message, and
 * an Error's type, message and stack), below AWS_LAMBDA_LOG_LEVEL dropped.
 */
function patchConsole() {
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const json = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
  const minimum = Math.max(0, levels.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()));
  const writer = (level) => (levels.indexOf(level) < minimum ? () => {} : (message, ...params) => {
    if (json) {
      const record = { timestamp: new Date().toISOString(), level, requestId, message: format(message, ...params) };
      const error = [message, ...params].find((p) => p instanceof Error);
      if (error) {
        Object.assign(record, { errorType: error.name, errorMessage: error.message, stackTrace: String(error.stack).split('\n') });
      }
      process.stdout.write(JSON.stringify(record) + '\n');
      return;
    }
    const line = `${new Date().toISOString()}\t${requestId}\t${level}\t${format(message, ...params)}`;
    process.stdout.write(line.replace(/\n/g, '\r') + '\n');
  });
  console.trace = writer('TRACE');
  console.debug = writer('DEBUG');
  console.info = console.log = writer('INFO');
  console.warn = writer('WARN');
  console.error = writer('ERROR');
  console.fatal = writer('FATAL');
}

// ---- handler loading ---------------------------------------------------------------------------

/**
 * Resolves `path/to/file.fn.nested` under the task root: `file.js`, `file.mjs` or `file.cjs`, loaded
 * with import() whatever the module system (Node decides from the extension and package.json
 * "type"); the function is looked up on the module namespace, then on its default export, where
 * CommonJS exports land.
 */
async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(`'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const moduleAndHandler = basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - moduleAndHandler.length);
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) {
    throw new MalformedHandlerName('Bad handler');
  }
  const [, moduleName, handlerPath] = match;
  const base = resolve(taskRoot, moduleRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) {
    throw new ImportModuleError(`Error: Cannot find module '${moduleName}'`);
  }
  let userModule;
  try {
    userModule = await import(pathToFileURL(file).href);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new UserCodeSyntaxError(String(e));
    }
    if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new ImportModuleError(String(e));
    }
    throw e;
  }
  const lookup = (root) => handlerPath.split('.').reduce((value, key) => value?.[key], root);
  const fn = lookup(userModule) ?? lookup(userModule.default);
  if (fn === undefined || fn === null) {
    throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new HandlerNotFound(`${handlerString} is not a function`);
  }
  return fn;
}

// ---- invocations -------------------------------------------------------------------------------

let onEmptyEventLoop = () => {}; // what the current invocation does when the event loop drains
let onFatal = (err, exitCode) => { // replaced per invocation: reports to the invocation instead of init
  post('init/error', JSON.stringify(errorBody(err)), errorBody(err).errorType).finally(() => process.exit(exitCode));
};

function parseHeaderJson(text, description) {
  if (text === undefined || text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Cannot parse ${description} as json: ${err}`);
  }
}

async function nextInvocation(handler) {
  const event = await api.next();
  if (event.status !== 200) {
    throw new Error(`GET next answered ${event.status}: ${event.body}`);
  }
  invoke(handler, event);
}

/** The context's fields that every handler gets, streaming or not. */
function contextFields(event, id, deadline) {
  return {
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeaderJson(event.header('lambda-runtime-client-context'), 'ClientContext'),
    identity: parseHeaderJson(event.header('lambda-runtime-cognito-identity'), 'CognitoIdentity'),
    invokedFunctionArn: event.header('lambda-runtime-invoked-function-arn'),
    awsRequestId: id,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** Runs one invocation: `event` is the Runtime API's answer to next (runtime-api.mjs's Answer). */
function invoke(handler, event) {
  const id = event.header('lambda-runtime-aws-request-id');
  requestId = id;
  const traceId = event.header('lambda-runtime-trace-id');
  if (traceId) {
    process.env._X_AMZN_TRACE_ID = traceId;
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  onFatal = (err, exitCode) => {
    post(`invocation/${id}/error`, JSON.stringify(errorBody(err)), errorBody(err).errorType).finally(() => process.exit(exitCode));
  };
  if (handler[STREAMING] === STREAM_RESPONSE) {
    invokeStreaming(handler, event, id);
    return;
  }

  let reported = false; // the outcome has been posted
  const complete = (err, result) => {
    if (reported) {
      return;
    }
    reported = true;
    onEmptyEventLoop = () => {};
    let sending;
    if (err !== undefined && err !== null) {
      console.error('Invoke Error', formatted(err));
      const error = errorBody(err);
      sending = post(`invocation/${id}/error`, JSON.stringify(error), error.errorType);
    } else {
      let json;
      try {
        json = JSON.stringify(result === undefined ? null : result);
      } catch {
        reported = false;
        complete(new Error('Unable to stringify response body'));
        return;
      }
      sending = post(`invocation/${id}/response`, json);
    }
    sending.then(() => setImmediate(() => nextInvocation(handler).catch(apiFailed)), apiFailed);
  };

  let called = false; // only the first of callback/succeed/fail/done counts
  const once = (fn) => (...args) => { if (!called) { called = true; fn(...args); } };
  let waitsForEmptyEventLoop = true;
  const callback = once((err, result) => {
    if ((err !== undefined && err !== null) || !waitsForEmptyEventLoop) {
      complete(err, result);
    } else {
      onEmptyEventLoop = () => complete(null, result);
    }
  });
  const isAsync = handler.constructor?.name === 'AsyncFunction';
  onEmptyEventLoop = () => complete(isAsync ? new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.') : null, null);

  try {
    const deadline = Number(event.header('lambda-runtime-deadline-ms'));
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitsForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitsForEmptyEventLoop = value; },
      succeed: once((result) => complete(null, result)),
      fail: once((err) => complete(err ?? 'handled')),
      done: once((err, result) => complete(err, result)),
      ...contextFields(event, id, deadline),
    };
    const result = handler(JSON.parse(event.body), context, callback);
    if (typeof result?.then === 'function') {
      result.then((value) => complete(null, value), (err) => complete(err ?? 'handled'));
    }
  } catch (err) {
    callback(err);
  }
}

// ---- response streaming -----------------------------------------------------------------------
//
// As Lambda's Node.js runtime provides them: awslambda.streamifyResponse(handler) marks a handler
// (event, responseStream, context) whose answer is streamed; responseStream is a Writable whose
// bytes go to the Runtime API as chunks of a streamed response (runtime-api.mjs's stream()), opened
// at the first write, so setContentType() still counts until then. awslambda.HttpResponseStream.from
// (stream, {statusCode, headers, cookies}) writes the HTTP integration's prelude before the body: its
// JSON, then 8 NUL bytes. The invocation completes when the handler's promise has settled and the
// stream has finished; a failure before any byte was written is posted as an ordinary error, a
// failure after as Lambda's error trailers. Back-pressure: a write waits while the socket is full.

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

class ResponseStream extends Writable {
  constructor(open) {
    super();
    this.open = open; // (contentType) => a Runtime API stream
    this.contentType = 'application/octet-stream';
    this.connection = null;
    this.beforeFirstWrite = null; // the HTTP prelude, if HttpResponseStream.from asked for one
  }

  setContentType(contentType) {
    this.contentType = contentType;
  }

  opened() {
    if (this.connection === null) {
      this.connection = this.open(this.contentType);
      const prelude = this.beforeFirstWrite;
      this.beforeFirstWrite = null;
      prelude?.((chunk) => this.connection.write(Buffer.from(chunk)));
    }
    return this.connection;
  }

  _write(chunk, encoding, callback) {
    const connection = this.opened();
    if (connection.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding))) {
      callback();
    } else {
      connection.onDrain(() => callback());
    }
  }

  _final(callback) {
    this.opened();
    callback();
  }
}

class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION);
    const json = JSON.stringify(prelude ?? {});
    stream.beforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(8));
    };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = STREAM_RESPONSE;
    return handler;
  },
  HttpResponseStream,
};

function invokeStreaming(handler, event, id) {
  const stream = new ResponseStream((contentType) => api.stream(`invocation/${id}/response`, contentType));
  stream.on('error', () => {}); // a destroyed stream: its error reaches us through the handler's promise
  let reported = false;
  const complete = (err) => {
    if (reported) {
      return;
    }
    reported = true;
    onEmptyEventLoop = () => {};
    let sending;
    if (err !== undefined && err !== null) {
      console.error('Invoke Error', formatted(err));
      const error = errorBody(err);
      if (stream.connection === null) {
        stream.destroy();
        sending = post(`invocation/${id}/error`, JSON.stringify(error), error.errorType);
      } else {
        sending = stream.connection.end(error.errorType, Buffer.from(JSON.stringify(error)).toString('base64')).then(answered);
      }
    } else {
      sending = new Promise((resolve, reject) => {
        if (stream.destroyed && !stream.writableFinished) {
          reject(stream.errored ?? new Error('The response stream was destroyed before it ended'));
        } else if (stream.writableFinished) {
          resolve();
        } else {
          stream.once('finish', resolve);
          stream.once('error', reject);
          if (!stream.writableEnded) {
            stream.end();
          }
        }
      }).then(() => stream.connection.end().then(answered), (e) => {
        reported = false;
        complete(e);
        return new Promise(() => {}); // the error path above goes on
      });
    }
    sending.then(() => setImmediate(() => nextInvocation(handler).catch(apiFailed)), apiFailed);
  };
  const answered = (res) => {
    if (res.status === 500) {
      throw new Error(`Runtime API answered 500: ${res.body}`);
    }
    if (res.status !== 202) {
      process.stderr.write(`spur: Runtime API answered ${res.status}: ${res.body}\n`);
    }
  };
  onEmptyEventLoop = () => complete(new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.'));
  try {
    const deadline = Number(event.header('lambda-runtime-deadline-ms'));
    const context = { callbackWaitsForEmptyEventLoop: false, ...contextFields(event, id, deadline) };
    Promise.resolve(handler(JSON.parse(event.body), stream, context)).then(() => complete(null), (err) => complete(err ?? 'handled'));
  } catch (err) {
    complete(err);
  }
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  patchConsole();
  process.on('uncaughtException', (err) => {
    console.error('Uncaught Exception', formatted(err));
    onFatal(err, 129);
  });
  process.on('unhandledRejection', (reason) => {
    const err = new UnhandledPromiseRejection(String(reason));
    console.error('Unhandled Promise Rejection', formatted(err));
    onFatal(err, 128);
  });
  process.on('beforeExit', () => onEmptyEventLoop());

  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? '');
  } catch (err) {
    console.error(err?.name, formatted(err));
    const error = errorBody(err);
    await post('init/error', JSON.stringify(error), error.errorType)
      .catch((e) => process.stderr.write(`spur: could not report the init error: ${e}\n`));
    process.exit(1);
  }
  nextInvocation(handler).catch(apiFailed);
}

// Run when executed (Node gives the entry module its real path); when imported by Spur's tests, only export.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  await main();
}

export { errorBody, loadHandler };
