// The Runtime API as Spur's Node.js runtime client speaks it: HTTP/1.1 over one kept-alive TCP
// connection, one request at a time (a request made while another is in flight waits its turn).
//
// Why node:net and not node:http: an invocation is two requests (post the answer, ask for the next
// event), and node:http's agent, ClientRequest, IncomingMessage and their streams run a few hundred
// JavaScript functions for each. With 32 environments sharing 2 cores each process sees few
// invocations, so that code runs mostly unoptimised, and it was most of a Node invoke's CPU (about
// 1 ms of the node process per invoke at 32 clients, against 0.25 ms now: BENCHMARKS.md). Here a
// request is one write of one string, and an answer is parsed straight out of a read buffer reused
// for every read (net's `onread`), without the readable-stream machinery.
//
// Answers are framed by Content-Length, which is all Spur's Runtime API sends; the connection is
// reopened after Spur closes it (after a 413, with Connection: close). A body of 1 MiB or more is
// sent only after Spur answers 100 Continue to its head: a body over Spur's limit is then refused
// before it is written, instead of the connection being reset under it, losing the 413. The socket
// is unref'd while no request is in flight, as node:http's agent does with its idle sockets, so that
// it never keeps the event loop alive by itself: a callback handler's "wait for the empty event
// loop" depends on it.
//
// Failure semantics: a request whose kept-alive connection closes before any byte of its answer
// arrived is sent once more on a new connection -- always safe for `next` (the newest wait gets the
// event); a report may then reach Spur twice, and Spur answers the second 403, which `post` callers
// only log. Any other failure (refused, reset mid-answer, an answer that is not HTTP) rejects the
// request's promise, and the client exits: the invocation in flight, if any, fails with Spur's
// Runtime.ExitError.
import { connect } from 'node:net';

const API = '/2018-06-01/runtime/';
const READ_BUFFER_BYTES = 64 * 1024;
const MAX_HEAD_BYTES = 64 * 1024;
const EXPECT_CONTINUE_BYTES = 1024 * 1024; // bodies this large wait for 100 Continue
const CRLF = Buffer.from('\r\n');

/** An answer: its status, its body (text) and, on demand, its headers. */
class Answer {
  constructor(status, head, lower, contentLength, close) {
    this.status = status;
    this.body = '';
    this.head = head; // status line and headers, each line ending in CRLF
    this.lower = lower; // the same, lower-cased
    this.contentLength = contentLength;
    this.close = close; // the connection closes after this answer
  }

  /** The value of the header named `name` (lower case), the first if repeated; undefined if absent. */
  header(name) {
    return headerValue(this.head, this.lower, name);
  }
}

export class RuntimeApi {
  /** @param {string} address host:port, as in AWS_LAMBDA_RUNTIME_API ([v6]:port allowed) */
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.host = address.slice(0, colon).replace(/^\[|\]$/g, '');
    this.port = Number(address.slice(colon + 1));
    this.headPrefix = ` HTTP/1.1\r\nHost: ${address}\r\nUser-Agent: spur-runtime-node\r\n`;
    this.readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    this.socket = null;
    this.reused = false; // this connection has answered a request
    this.current = null; // the request in flight (see request())
    this.waiting = [];
    this.pending = null; // copies of the bytes of an answer that spans reads
    this.pendingBytes = 0;
    this.pendingNeeded = 0; // bytes the answer needs in all, once its head is known
  }

  /** GET invocation/next; resolves to its Answer. */
  next() {
    return this.request('GET ' + API + 'invocation/next' + this.headPrefix + '\r\n', '');
  }

  /**
   * POST of a JSON body to a path under the Runtime API (`invocation/<id>/response`, `init/error`...);
   * `errorType`, if given, is sent as Lambda-Runtime-Function-Error-Type, keeping only printable
   * ASCII (an error's name is the user's: it must not break the request's framing).
   */
  post(path, json, errorType) {
    let head = 'POST ' + API + path + this.headPrefix;
    if (errorType !== undefined) {
      head += 'Lambda-Runtime-Function-Error-Type: ' + String(errorType).replace(/[^\x20-\x7e]/g, '') + '\r\n';
    }
    const bytes = Buffer.byteLength(json);
    head += 'Content-Type: application/json\r\nContent-Length: ' + bytes + '\r\n';
    if (bytes < EXPECT_CONTINUE_BYTES) {
      return this.request(head + '\r\n' + json, '');
    }
    return this.request(head + 'Expect: 100-continue\r\n\r\n', json);
  }

  /**
   * A streamed POST of `invocation/<id>/response` (Lambda-Runtime-Function-Response-Mode: streaming):
   * the head goes at once, then each `write(bytes)` is one chunk of a chunked body, and `end()` sends
   * the last chunk, with `errorType` and `errorBody` (base64) as Lambda's error trailers when the
   * function failed mid-stream. `write` returns false when the socket's buffer is full: wait for
   * `onDrain(callback)` before writing more (back-pressure from Spur, and from its caller behind it).
   * `end` resolves to Spur's answer, which may come early (413 past the 200 MB limit: the rest of
   * the body is then dropped). A stream is never re-sent on a new connection.
   */
  stream(path, contentType) {
    const head = 'POST ' + API + path + this.headPrefix
      + 'Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n'
      + 'Content-Type: ' + String(contentType).replace(/[^\x20-\x7e]/g, '') + '\r\n'
      + 'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n';
    let request;
    const answer = new Promise((resolve, reject) => {
      request = { message: head, held: '', resolve, reject, retried: true, answered: false, continued: false, backlog: [] };
    });
    answer.catch(() => {}); // observed by end(); a failure before then must not be an unhandled rejection
    if (this.current === null) {
      this.send(request);
    } else {
      this.waiting.push(request);
    }
    const raw = (data) => {
      if (request.answered || request.done) {
        return true; // answered early, or failed: the rest goes nowhere
      }
      if (this.current === request && this.socket !== null) {
        return this.socket.write(data);
      }
      request.backlog.push(data);
      return true;
    };
    return {
      write: (bytes) => (bytes.length === 0 ? true : raw(Buffer.concat([Buffer.from(bytes.length.toString(16) + '\r\n'), bytes, CRLF]))),
      onDrain: (callback) => {
        if (this.current === request && this.socket !== null && !request.answered) {
          this.socket.once('drain', callback);
        } else {
          setImmediate(callback);
        }
      },
      end: (errorType, errorBody) => {
        let last = '0\r\n';
        if (errorType !== undefined) {
          last += 'Lambda-Runtime-Function-Error-Type: ' + String(errorType).replace(/[^\x20-\x7e]/g, '') + '\r\n'
            + 'Lambda-Runtime-Function-Error-Body: ' + errorBody + '\r\n';
        }
        raw(last + '\r\n');
        return answer;
      },
    };
  }

  /**
   * @param message what to write at once
   * @param held a body to write only once Spur answers 100 Continue to the message's Expect (a body
   *     Spur refuses, over its limit, is then never sent, and its 413 is read on a connection that
   *     closes cleanly rather than being reset under a body still being written)
   */
  request(message, held) {
    return new Promise((resolve, reject) => {
      const request = { message, held, resolve, reject, retried: false, answered: false, continued: false };
      if (this.current === null) {
        this.send(request);
      } else {
        this.waiting.push(request);
      }
    });
  }

  send(request) {
    this.current = request;
    request.answered = false;
    request.continued = false;
    if (this.socket === null) {
      this.open();
    } else {
      this.socket.ref();
    }
    this.socket.write(request.message);
    if (request.backlog !== undefined) { // a stream's chunks written before its turn came
      for (const data of request.backlog.splice(0)) {
        this.socket.write(data);
      }
    }
  }

  open() {
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: (n, buffer) => this.onRead(socket, n, buffer) },
    });
    this.socket = socket;
    this.reused = false;
    this.pending = null;
    socket.on('error', (err) => this.closed(socket, err));
    socket.on('close', () => this.closed(socket, new Error('the Runtime API closed the connection')));
  }

  closed(socket, err) {
    if (socket !== this.socket) {
      return; // already handled, or an older connection
    }
    this.socket = null;
    this.pending = null;
    socket.destroy();
    const request = this.current;
    if (request === null) {
      return; // reopened by the next request
    }
    if (this.reused && !request.answered && !request.retried) {
      request.retried = true;
      this.send(request);
      return;
    }
    this.current = null;
    request.done = true;
    request.reject(err);
  }

  onRead(socket, n, buffer) {
    if (socket !== this.socket) {
      return;
    }
    if (this.current !== null) {
      this.current.answered = true;
    }
    if (this.pending === null) {
      this.consume(socket, buffer, n);
      return;
    }
    this.pending.push(Buffer.from(buffer.subarray(0, n))); // copied: the read buffer is reused
    this.pendingBytes += n;
    if (this.pendingBytes >= this.pendingNeeded) {
      const data = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = null;
      this.consume(socket, data, data.length);
    }
  }

  /** Delivers every complete answer in data[0, length); keeps a copy of an incomplete rest. */
  consume(socket, data, length) {
    // Heads are found and parsed in a Latin-1 view (one byte, one character: offsets carry over).
    const text = data.toString('latin1', 0, Math.min(length, MAX_HEAD_BYTES));
    let start = 0;
    while (start < length && socket === this.socket) {
      const headEnd = text.indexOf('\r\n\r\n', start);
      if (headEnd < 0) {
        if (length - start > MAX_HEAD_BYTES) {
          this.closed(socket, new Error('the Runtime API sent an answer head over 64 KiB'));
        } else {
          this.keep(data, start, length, 0);
        }
        return;
      }
      const answer = parseHead(text, start, headEnd);
      if (answer === null) {
        this.closed(socket, new Error(`not an answer from the Runtime API: ${text.slice(start, Math.min(headEnd, start + 200))}`));
        return;
      }
      const bodyStart = headEnd + 4;
      if (answer.status < 200) { // 100 Continue: the held body goes now; the answer is still to come
        start = bodyStart;
        const request = this.current;
        if (answer.status === 100 && request !== null && request.held !== '' && !request.continued) {
          request.continued = true;
          socket.write(request.held);
        }
        continue;
      }
      const end = bodyStart + answer.contentLength;
      if (end > length) {
        this.keep(data, start, length, end - start);
        return;
      }
      answer.body = data.toString('utf8', bodyStart, end);
      start = end;
      this.finish(socket, answer);
      if (text.length < length && start < length) { // the rest reaches past the Latin-1 view
        this.consume(socket, data.subarray(start), length - start);
        return;
      }
    }
  }

  keep(data, start, length, needed) {
    this.pending = [Buffer.from(data.subarray(start, length))];
    this.pendingBytes = length - start;
    this.pendingNeeded = needed;
  }

  finish(socket, answer) {
    const request = this.current;
    this.current = null;
    this.reused = true;
    if (answer.close) {
      this.socket = null;
      socket.destroy();
    }
    if (this.waiting.length > 0) {
      this.send(this.waiting.shift());
    } else if (this.socket !== null) {
      this.socket.unref();
    }
    request?.resolve(answer);
  }
}

/**
 * The answer whose head is text[start, end); null unless it is HTTP/1.x with a status and, unless
 * it is a 1xx, a Content-Length.
 * Headers are found in a lower-cased copy of the head, each with one native search (Latin-1
 * lower-casing keeps every offset).
 */
function parseHead(text, start, end) {
  if (!text.startsWith('HTTP/1.', start)) {
    return null;
  }
  const head = text.slice(start, end + 2);
  const status = Number(head.slice(9, 12));
  if (!(status >= 100 && status <= 999)) {
    return null;
  }
  const lower = head.toLowerCase();
  const contentLength = status < 200 ? '0' : headerValue(head, lower, 'content-length');
  if (contentLength === undefined || !/^[0-9]+$/.test(contentLength)) {
    return null;
  }
  return new Answer(status, head, lower, Number(contentLength),
    headerValue(head, lower, 'connection')?.toLowerCase() === 'close');
}

function headerValue(head, lower, name) {
  const prefix = '\r\n' + name + ':';
  const at = lower.indexOf(prefix);
  if (at < 0) {
    return undefined;
  }
  return head.slice(at + prefix.length, head.indexOf('\r\n', at + prefix.length)).trim();
}
