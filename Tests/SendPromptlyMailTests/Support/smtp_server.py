"""A real SMTP server for SendPromptlyMailTests: aiosmtpd on 127.0.0.1, port chosen by the
system. Prints `ready <port>` once it accepts connections and runs until it is killed or its
standard input closes (the test process that started it ended).

Every message it accepts is written to --messages as one JSON file (written to a temporary
name, then renamed, before the server answers 250): envelope sender and recipients, the raw
data after dot-unstuffing, whether the session was encrypted, the AUTH mechanism and login
used, and the message as Python's email package parses it (headers decoded, parts decoded,
parse defects), so that the tests check the rendering against an independent MIME reader.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", required=True, help="directory for one JSON file per message")
    parser.add_argument("--cert", help="PEM certificate for STARTTLS or implicit TLS")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--starttls", choices=["offered", "required"], help="offer STARTTLS, or require it")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte")
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="offer AUTH and accept only this login")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN", help="mechanisms to offer")
    parser.add_argument("--reject-recipient", action="append", default=[], help="answer 550 5.1.1 to RCPT TO this address")
    parser.add_argument("--fail-mail-from", action="store_true", help="answer 451 to MAIL FROM")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 lets the system choose")
    return parser.parse_args()


class Handler:
    def __init__(self, arguments):
        self.arguments = arguments
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.arguments.fail_mail_from:
            return "451 4.3.0 Temporary local problem, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.arguments.reject_recipient:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            parts.append({
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "transfer_encoding": part.get("Content-Transfer-Encoding"),
                "content": part.get_content(),
                "defects": [str(defect) for defect in part.defects],
            })
        record = {
            "received_at": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": raw.decode("utf-8", errors="replace"),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth": session.auth_data,
            "headers": [[name, str(value)] for name, value in message.items()],
            "content_type": message.get_content_type(),
            "parts": parts,
            "defects": [str(defect) for defect in message.defects],
        }
        path = os.path.join(self.arguments.messages, f"message-{self.count}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued as M%d" % self.count


def main():
    arguments = parse_arguments()
    tls_context = None
    if arguments.cert:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(arguments.cert, arguments.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        expected_user, expected_password = arguments.auth.split(":", 1)
        if (isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == expected_user
                and auth_data.password.decode() == expected_password):
            return AuthResult(success=True, auth_data={"mechanism": mechanism, "login": expected_user})
        return AuthResult(success=False, handled=False)

    offered = set(arguments.auth_mechanisms.split(","))
    handler = Handler(arguments)

    def make_protocol():
        return SMTP(
            handler,
            hostname="smtp.test",
            tls_context=tls_context if arguments.starttls else None,
            require_starttls=arguments.starttls == "required",
            # Over implicit TLS aiosmtpd does not see the encryption itself.
            auth_require_tls=not arguments.implicit_tls,
            authenticator=authenticator if arguments.auth else None,
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in offered] if arguments.auth else None,
        )

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        make_protocol, host="127.0.0.1", port=arguments.port, reuse_address=True,
        ssl=tls_context if arguments.implicit_tls else None))
    loop.add_reader(sys.stdin.fileno(), lambda: os.read(sys.stdin.fileno(), 4096) or loop.stop())
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
