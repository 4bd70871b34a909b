"""Drives bootstrap.py's pieces without a Runtime API, for PythonClientTest.

usage: python_driver.py <bootstrap dir> <task root> load <handler>
       python_driver.py <bootstrap dir> <task root> invoke <handler> <event JSON> <headers JSON>
Prints one JSON document: the load outcome, or what the invocation posted.
"""
import json
import sys

runtime_dir, task_root, command, handler_name = sys.argv[1:5]
sys.path.insert(0, runtime_dir)
import bootstrap  # noqa: E402

bootstrap.setup_path(task_root)
bootstrap.install_logging()


class RecordingApi:
    """Stands in for the Runtime API client: records what the runtime would post."""

    def __init__(self):
        self.posts = []

    def post(self, path, body, headers=()):
        self.posts.append({"path": path, "body": json.loads(body), "headers": dict(headers)})


try:
    handler = bootstrap.load_handler(handler_name)
except Exception as e:
    print(json.dumps({"initError": bootstrap.error_result(e)}))
    sys.exit(0)
if command == "load":
    print(json.dumps({"loaded": handler.__name__}))
else:
    api = RecordingApi()
    bootstrap.invoke(api, handler, json.loads(sys.argv[6]), sys.argv[5].encode())
    print(json.dumps(api.posts[0]))
