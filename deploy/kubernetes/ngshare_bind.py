"""Run ngshare listening only on NGSHARE_BIND_IP (default 127.0.0.1) instead of every interface.

ngshare 0.6.0 in JupyterHub-service mode listens on 0.0.0.0, so on a shared host anyone who can reach the port
bypasses the proxy. Tornado's listen() is wrapped to replace the address; everything else is ngshare's own
``main`` with the same arguments. As a hub-managed service on one host:

    c.JupyterHub.services = [{"name": "ngshare", "url": "http://127.0.0.1:10101",
                              "command": ["/opt/ngshare-env/bin/python", "/opt/ngshare/ngshare_bind.py",
                                          "--admins", "instructor1"]}]

UNTESTED: written for this repository from ngshare 0.6.0's source (it calls ``listen(port, '0.0.0.0')``);
the project's notes only record that ngshare binds 0.0.0.0 and that making it bind loopback closed that.
"""
import os
import runpy
import sys

from tornado.tcpserver import TCPServer

BIND_IP = os.environ.get("NGSHARE_BIND_IP", "127.0.0.1")
_listen = TCPServer.listen


def _listen_on_bind_ip(self, port, address=None, *args, **kwargs):
    return _listen(self, port, BIND_IP, *args, **kwargs)


TCPServer.listen = _listen_on_bind_ip

if __name__ == "__main__":
    sys.argv[0] = "ngshare"
    runpy.run_module("ngshare", run_name="__main__", alter_sys=True)
