"""Spur's Python runtime client: runs Lambda Python handlers against the Runtime API.

Behaves like AWS's awslambdaric (handler resolution, context object, error shapes, log format)
using the standard library only. Start-up is the cold start users pay, so imports are few and the
costly ones (traceback, decimal) wait until something needs them; the Runtime API is spoken over
one keep-alive socket rather than through http.client, which alone costs more than the rest.

Exit status: 1 after an init error has been reported, 2 when the Runtime API fails or answers 500.
"""
import json
import os
import sys
import time
import _socket

API_PREFIX = "/2018-06-01/runtime/"


class Fault(Exception):
    """A failure the runtime describes itself, reported with Lambda's Runtime.* error type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class ApiFailure(Exception):
    """The Runtime API failed or told the runtime to stop: exit."""


class RuntimeApi:
    """HTTP/1.1 over one kept-alive socket; responses framed by Content-Length (or chunked, or close).

    A request whose kept-alive connection turns out closed before any response byte is retried once
    on a new connection: always safe for `next`; for a report the server may see it twice and answers
    the second with 403, which is ignored.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host_header = address
        self.address = (host.strip("[]"), int(port))
        self.sock = None
        self.buffer = b""

    def next(self):
        status, headers, body = self.request("GET", API_PREFIX + "invocation/next")
        if status != 200:
            raise ApiFailure("GET next answered %d: %r" % (status, body[:200]))
        return headers, body

    def post(self, path, body, headers=()):
        status, _, answer = self.request("POST", API_PREFIX + path, body, headers)
        if status == 500:
            raise ApiFailure("Runtime API answered 500: %r" % answer[:200])
        if status != 202:
            print("spur: Runtime API answered %d: %r" % (status, answer[:200]), file=sys.stderr)

    def request(self, method, path, body=None, headers=()):
        head = ["%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: spur-runtime-python\r\n" % (method, path, self.host_header)]
        for name, value in headers:
            head.append("%s: %s\r\n" % (name, value))
        if body is not None:
            head.append("Content-Length: %d\r\n" % len(body))
        data = "".join(head).encode("latin-1") + b"\r\n" + (body or b"")
        fresh = self.sock is None
        try:
            return self._exchange(data)
        except (ConnectionError, EOFError):
            if fresh:
                raise
            self.close()
            return self._exchange(data)

    def _exchange(self, data):
        if self.sock is None:
            host, port = self.address  # bytes host: a str one would load the idna codec
            family, kind, proto, _, address = _socket.getaddrinfo(host.encode(), port, 0, _socket.SOCK_STREAM)[0]
            self.sock = _socket.socket(family, kind, proto)
            self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            self.sock.connect(address)
        self.sock.sendall(data)
        status_line = self._line()
        try:
            status = int(status_line.split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise ApiFailure("not an HTTP response: %r" % status_line) from None
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("utf-8", "replace")
        closes = headers.get("connection", "").lower() == "close"
        if "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        else:
            body, closes = self._until_close(), True
        if closes:
            self.close()
        return status, headers, body

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the Runtime API")
        self.buffer += chunk

    def _line(self):
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return line.rstrip(b"\r")
            self._fill()

    def _exactly(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _chunked(self):
        parts = []
        while True:
            size = int(self._line().split(b";")[0].strip(), 16)
            if size == 0:
                while self._line():
                    pass
                return b"".join(parts)
            parts.append(self._exactly(size))
            self._line()

    def _until_close(self):
        try:
            while True:
                self._fill()
        except EOFError:
            data, self.buffer = self.buffer, b""
            return data

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


class LambdaContext:
    """The context object handlers receive, with the attributes of awslambdaric's."""

    def __init__(self, request_id, headers):
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a string, as on Lambda
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0) or None
        client_context = _json_header(headers, "lambda-runtime-client-context", "Client Context")
        self.client_context = None
        if client_context is not None:
            self.client_context = _Record(client_context, ("custom", "env", "client"))
            if self.client_context.client is not None:
                self.client_context.client = _Record(self.client_context.client, (
                    "installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"))
        identity = _json_header(headers, "lambda-runtime-cognito-identity", "Cognito Identity") or {}
        self.identity = _Record({"cognito_identity_id": identity.get("cognitoIdentityId"),
                                 "cognito_identity_pool_id": identity.get("cognitoIdentityPoolId")},
                                ("cognito_identity_id", "cognito_identity_pool_id"))

    def get_remaining_time_in_millis(self):
        if self._deadline_ms is None:
            return 0
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message):
        sys.stdout.write(str(message))


class _Record:
    """An object whose attributes are the named keys of a JSON object (None when absent)."""

    def __init__(self, values, names):
        for name in names:
            setattr(self, name, values.get(name) if isinstance(values, dict) else None)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.__dict__)


def _json_header(headers, name, description):
    text = headers.get(name)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as e:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse %s JSON: %s" % (description, e)) from None


def load_handler(handler):
    """Imports the handler's module (its module-level code is the function's init) and returns the function."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e)) from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % module_name)
    dotted = module_name.replace("/", ".")
    try:
        __import__(dotted)
        module = sys.modules[dotted]
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e)) from None
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name)) from None


def error_result(error, request_id=None):
    """Lambda's error body for an exception: type name, message, and the user's frames as traceback lines."""
    if isinstance(error, Fault):
        error_type, message, trace = error.error_type, error.message, error.trace
    else:
        import traceback
        frames = traceback.extract_tb(error.__traceback__)
        while frames and frames[0].filename == __file__:
            frames.pop(0)
        error_type, message, trace = type(error).__name__, str(error), traceback.format_list(frames)
    result = {"errorMessage": message, "errorType": error_type}
    if request_id is not None:
        result["requestId"] = request_id
    result["stackTrace"] = trace
    return result


_JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"


def _utc_now():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)


def log_error(result):
    """Prints an error as Lambda's Python runtime does: one log event, lines joined by carriage returns
    (with the JSON log format: one JSON record at level ERROR)."""
    if _JSON_LOGS:
        record = {"timestamp": _utc_now(), "level": "ERROR", "message": result["errorMessage"]}
        record.update({k: result[k] for k in ("errorType", "errorMessage", "requestId", "stackTrace") if k in result})
        sys.stdout.write(json.dumps(record) + "\n")
        return
    lines = ["[ERROR] %s: %s" % (result["errorType"], result["errorMessage"]), "Traceback (most recent call last):"]
    for entry in result["stackTrace"]:
        for line in entry.splitlines():
            stripped = line.lstrip(" ")
            lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


class _Encoder(json.JSONEncoder):
    """Lambda's result encoding: decimals as numbers (boto3's DynamoDB values), unicode kept from 3.12 on."""

    def default(self, o):
        if type(o).__name__ == "Decimal":
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def _keeps_unicode():
    """From python3.12 on, Lambda writes non-ASCII characters of results as they are, not as \\u escapes."""
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python3."
    return env.startswith(prefix) and env[len(prefix):].isdigit() and int(env[len(prefix):]) >= 12


_ENCODER = _Encoder(ensure_ascii=not _keeps_unicode())


def marshal(result):
    if isinstance(result, (bytes, bytearray)):
        return bytes(result), "application/unknown"
    try:
        return _ENCODER.encode(result).encode("utf-8"), "application/json"
    except (TypeError, ValueError, OverflowError) as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e) from None


_request_id = ""  # the invocation in progress, for log lines


class _JsonFormatter:
    """Lambda's JSON log records: timestamp, level, message, logger, requestId (and the exception's
    type, message and stack trace when there is one)."""

    def format(self, record):
        out = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                            + ".%03dZ" % int(record.msecs),
               "level": record.levelname,
               "message": record.getMessage(),
               "logger": record.name}
        if record.aws_request_id:
            out["requestId"] = record.aws_request_id
        if record.exc_info and record.exc_info[0] is not None:
            out["errorType"] = record.exc_info[0].__name__
            out["errorMessage"] = str(record.exc_info[1])
            import traceback
            out["stackTrace"] = traceback.format_tb(record.exc_info[2])
        return json.dumps(out, default=str) + "\n"


_LEVELS = {"TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "WARNING": "WARNING",
           "ERROR": "ERROR", "FATAL": "CRITICAL", "CRITICAL": "CRITICAL"}


def configure_logging(logging):
    """Installs a root handler writing Lambda's text format: [LEVEL]\t<UTC time>Z\t<request id>\t<message>,
    or with AWS_LAMBDA_LOG_FORMAT=JSON Lambda's JSON records, at AWS_LAMBDA_LOG_LEVEL."""

    class LambdaHandler(logging.Handler):
        def emit(self, record):
            record.aws_request_id = _request_id
            sys.stdout.write(self.format(record))

    if _JSON_LOGS:
        handler = LambdaHandler()
        handler.setFormatter(_JsonFormatter())
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper(), "INFO"))
        return

    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler = LambdaHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        root.setLevel(level)


class ConfigureLoggingOnImport:
    """A meta-path finder that configures logging the moment anything first imports it.

    The logging module (with traceback, threading, string, weakref) costs several milliseconds to
    import; functions that never log should not pay it, and those that do get Lambda's handler
    before their first log call, even one made at import time.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                spec.loader = _ConfiguringLoader(spec.loader)
                return spec
        return None


class _ConfiguringLoader:
    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        configure_logging(module)


def install_logging():
    if "logging" in sys.modules:
        configure_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, ConfigureLoggingOnImport())


def invoke(api, handler, headers, body):
    """Runs one event and reports its outcome; handler exceptions become error reports, never escape."""
    global _request_id
    request_id = _request_id = headers.get("lambda-runtime-aws-request-id", "")
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = LambdaContext(request_id, headers)
        if headers.get("content-type", "application/json").split(";")[0].strip() == "application/json":
            try:
                event = json.loads(body)
            except ValueError as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e) from None
        else:
            event = body
        result, content_type = marshal(handler(event, context))
    except Exception as e:
        error = error_result(e, request_id)
        log_error(error)
        api.post("invocation/%s/error" % request_id, _ENCODER.encode(error).encode("utf-8"),
                 [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error["errorType"])])
        return
    api.post("invocation/%s/response" % request_id, result, [("Content-Type", content_type)])


def setup_path(task_root):
    """sys.path as on Lambda: the task root first, then the interpreter's own directories.

    Spur starts Python with -S so the host's site hooks do not run: .pth files on a server can import
    arbitrary packages (certifi, setuptools' distutils shim) and cost more than this whole client.
    Its site-packages directories are still appended, so packages installed there stay importable,
    and site's builtins (exit, quit, help) are still defined.
    """
    sys.path[0] = task_root  # in place of this script's directory
    if sys.flags.no_site:
        import site
        for directory in site.getsitepackages():
            if directory not in sys.path and os.path.isdir(directory):
                sys.path.append(directory)
        site.setquit()
        site.setcopyright()
        site.sethelper()


def main():
    setup_path(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    install_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        error = error_result(e)
        log_error(error)
        try:
            api.post("init/error", _ENCODER.encode(error).encode("utf-8"),
                     [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error["errorType"])])
        except (OSError, EOFError, ApiFailure) as failure:
            print("spur: could not report the init error: %s" % failure, file=sys.stderr)
        sys.exit(1)
    try:
        while True:
            headers, body = api.next()
            invoke(api, handler, headers, body)
    except (OSError, EOFError, ApiFailure) as failure:
        print("spur: Runtime API failed, exiting: %s" % failure, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
