"""What the end-to-end test does through the hub, as a browser's JupyterLab would: the hub's
REST API (with a test service's token), each user's own server (its contents API, nbgrader's
assignment list extension, a terminal over a websocket). Every wait polls with a deadline."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
import uuid

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


def poll(check, timeout: float, what: str, interval: float = 0.3):
    """``check()``'s first truthy result within ``timeout`` seconds; AssertionError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


class Hub:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kwargs):
        response = self.http.request(method, f"{self.url}/hub/api{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def start_server(self, user: str) -> None:
        self.api("POST", f"/users/{user}/server")

    def server_ready(self, user: str) -> bool:
        server = self.api("GET", f"/users/{user}")["servers"].get("")
        return bool(server and server["ready"])

    def user_server(self, user: str) -> "UserServer":
        token = self.api("POST", f"/users/{user}/tokens", json={"note": "e2e test", "expires_in": 900})["token"]
        return UserServer(f"{self.url}/user/{user}", token)

    def login(self, user: str, password: str) -> bool:
        """Whether the login form accepts ``password`` (the authenticator, as a browser uses it)."""
        browser = requests.Session()
        browser.get(f"{self.url}/hub/login", timeout=30)
        response = browser.post(f"{self.url}/hub/login", allow_redirects=False, timeout=30,
                                data={"username": user, "password": password, "_xsrf": browser.cookies["_xsrf"]})
        return response.status_code == 302 and "/hub/login" not in response.headers.get("Location", "")


class UserServer:
    """One user's Jupyter server, called with that user's token."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def assignments(self, action: str, course: str, assignment: str):
        """nbgrader's assignment list extension: fetch, submit or fetch_feedback (the lab's buttons)."""
        response = self.http.post(f"{self.url}/assignments/{action}", timeout=120,
                                  data={"course_id": course, "assignment_id": assignment})
        response.raise_for_status()
        return response.json()

    def read(self, path: str):
        response = self.http.get(f"{self.url}/api/contents/{path}", params={"content": 1}, timeout=30)
        return response.json() if response.status_code == 200 else None

    def write_notebook(self, path: str, notebook: dict) -> None:
        self.http.put(f"{self.url}/api/contents/{path}", timeout=30,
                      json={"type": "notebook", "format": "json", "content": notebook}).raise_for_status()

    def terminal(self, command: str, timeout: float = 150) -> str:
        """Run ``command`` in a new terminal of this server (a shell as this OS user); its output."""
        name = self.http.post(f"{self.url}/api/terminals", timeout=30).json()["name"]
        try:
            # A thread of its own: pytest-playwright's sync API (the browser tests, earlier in the
            # same session) leaves an event loop running in the main thread, where asyncio.run fails.
            with concurrent.futures.ThreadPoolExecutor(1) as thread:
                return thread.submit(asyncio.run, self._run_in_terminal(name, command, timeout)).result()
        finally:
            self.http.delete(f"{self.url}/api/terminals/{name}", timeout=30)

    async def _run_in_terminal(self, name: str, command: str, timeout: float) -> str:
        marker = uuid.uuid4().hex
        url = self.url.replace("http", "ws", 1) + f"/terminals/websocket/{name}"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))
        # the marker is printed split in two, so the echoed command line never matches it
        socket.write_message(json.dumps(["stdin", f"{command}; echo '{marker[:16]}''{marker[16:]}'\r"]))
        output = ""
        deadline = time.monotonic() + timeout
        while marker not in output:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"terminal command did not finish in {timeout:g} s: {command}\n{output[-2000:]}")
            message = await asyncio.wait_for(socket.read_message(), left)
            if message is None:
                raise AssertionError(f"terminal closed: {output[-2000:]}")
            kind, *payload = json.loads(message)
            if kind == "stdout":
                output += payload[0]
        socket.close()
        return output
