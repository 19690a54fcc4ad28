#!/usr/bin/env python3
"""Serves a built playground (dist/) for the end-to-end tests.

By default every response carries the cross-origin isolation headers, as `trunk serve` and
`native-runner serve` send them; with --no-isolation it serves the same files without them, as a
static host that cannot set headers would.

    python3 tests/e2e/serve.py [--port 8123] [--no-isolation] [--dir dist]
"""
import argparse
import functools
import http.server


class Handler(http.server.SimpleHTTPRequestHandler):
    isolation = True
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--dir", default="dist")
    parser.add_argument("--no-isolation", action="store_true")
    args = parser.parse_args()
    Handler.isolation = not args.no_isolation
    handler = functools.partial(Handler, directory=args.dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"serving {args.dir} on http://127.0.0.1:{args.port}/ (isolation: {Handler.isolation})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
