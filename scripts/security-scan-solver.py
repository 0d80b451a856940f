#!/usr/bin/env python3
"""A loopback-only HTTP proxy for scripts/security-scan.sh.

The comment form needs a fresh single-use token and the answer to its
arithmetic question on every post, which a scanner cannot supply. This
proxy sits between the scanner and a local `byline serve`: for a POST to
/comments/ or /comments/ID/edit whose body is a form, it fetches the page
that carries the form (the article, or the edit page with the client's
cookies), and replaces the `token` and `captcha` fields with the fresh token
and the right answer, leaving every other field (where the payloads are)
byte for byte as the scanner sent it. Everything else passes through as is.

Requests that carry the header `X-Scan-Raw: 1` are never rewritten, and
empty `author`, `email` or `comment` fields get a valid value (wapiti
fills only the field it attacks); the fields named in --keep are never
replaced (so a scanner can still
attack `token` or `captcha` themselves). A request with the header
`X-Scan-Unique: FIELD` gets a serial number appended to FIELD, so a
scanner attacking the other fields is not stopped by duplicate detection
(the same text from the same author) before its payloads reach the store.

It only forwards to 127.0.0.1 (the site's port, or another loopback port
named in the request) and refuses anything else.

usage: security-scan-solver.py LISTEN_PORT TARGET_PORT [--log FILE]
"""
import http.client
import http.server
import json
import re
import socketserver
import sys
import urllib.parse

TARGET = ('127.0.0.1', 0)
LOG = None
OPS = {'+': lambda a, b: a + b, '-': lambda a, b: a - b,
       '\u2212': lambda a, b: a - b, '\u00d7': lambda a, b: a * b,
       'x': lambda a, b: a * b, '*': lambda a, b: a * b}
HOP = {'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization',
       'te', 'trailer', 'transfer-encoding', 'upgrade'}


def log(msg):
    if LOG:
        with open(LOG, 'a', encoding='utf-8') as f:
            f.write(msg + '\n')


def fetch(path, headers=None):
    c = http.client.HTTPConnection(*TARGET, timeout=30)
    c.request('GET', path, headers=headers or {})
    r = c.getresponse()
    body = r.read().decode('utf-8', 'replace')
    c.close()
    return r.status, body


def solve(html, action):
    """The token of the form posting to `action` and the answer to its
    question (None for a form without one, like the edit form), or None.
    A page can hold several forms with tokens (a reader's own comments
    have delete forms), so only the one for `action` counts."""
    form = re.search(r'<form[^>]*action="%s"[^>]*>(.*?)</form>' % re.escape(action),
                     html, re.S)
    if not form:
        return None
    html = form.group(1)
    tok = re.search(r'name="token" value="([^"]+)"', html)
    q = re.search(r'<label for="captcha">\s*(\d+)\s*(\S)\s*(\d+)\s*=', html)
    if not tok:
        return None
    if not q or q.group(2) not in OPS:
        return tok.group(1), None
    return tok.group(1), str(OPS[q.group(2)](int(q.group(1)), int(q.group(3))))


def article_path(fields):
    """The path of the article a comment form belongs to."""
    art = fields.get('article', '')
    if art.isdigit():
        st, body = fetch('/api/articles/%s/comments' % art)
        if st == 200:
            url = json.loads(body)['article']['url']
            return urllib.parse.urlsplit(url).path
    # An attacked `article` field: take any article; the token will not
    # match and the server must say so.
    st, body = fetch('/')
    m = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/)"', body)
    return m.group(1) if m else '/'


SERIAL = [0]
# Required fields a scanner leaves empty (wapiti fills only the one it
# attacks): given a valid value so the post can get past validation.
FILL = {'author': 'Scan Reader', 'email': 'scan.reader@example.com',
        'comment': 'A comment from the scanner.'}


def rewrite(path, body, cookie, keep, unique=None):
    """The body with a fresh token and answer, or None to leave it."""
    try:
        text = body.decode('ascii')
    except UnicodeDecodeError:
        return None
    parts = text.split('&')
    names = [p.split('=', 1)[0] for p in parts]
    if 'token' not in names:
        return None
    fields = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    if path.rstrip('/') == '/comments':
        page = article_path(fields)
        if fields.get('parent', '0').isdigit() and fields.get('parent', '0') != '0':
            page += '?replytocom=' + fields['parent']
    elif re.fullmatch(r'/comments/\d+/edit', path):
        page = path
    else:
        return None
    st, html = fetch(page, {'Cookie': cookie} if cookie else {})
    got = solve(html, '/comments/' if path.rstrip('/') == '/comments' else path)
    if got is None:
        log('no form on %s (%d)' % (page, st))
        return None
    new = {'token': got[0], 'captcha': got[1]}
    out = []
    for p in parts:
        n = p.split('=', 1)[0]
        if n in new and new[n] is not None and n not in keep:
            out.append(n + '=' + urllib.parse.quote(new[n], safe=''))
        elif n in FILL and p in (n, n + '='):
            out.append(n + '=' + urllib.parse.quote(FILL[n], safe=''))
        elif n == unique:
            SERIAL[0] += 1
            out.append(p + urllib.parse.quote(' #%d' % SERIAL[0], safe=''))
        else:
            out.append(p)
    return '&'.join(out).encode('ascii')


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    keep = set()

    def log_message(self, fmt, *args):
        pass

    def relay(self):
        u = urllib.parse.urlsplit(self.path)
        if u.scheme not in ('', 'http') or (u.hostname or '127.0.0.1') != '127.0.0.1':
            self.send_error(403, 'loopback only')
            return
        path = u.path or '/'
        if u.query:
            path += '?' + u.query
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n > 0 else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        raw = headers.pop('X-Scan-Raw', None) == '1'
        unique = headers.pop('X-Scan-Unique', None)
        if (self.command == 'POST' and body and not raw and
                (not u.port or u.port == TARGET[1]) and
                'urlencoded' in (self.headers.get('Content-Type') or '')):
            try:
                nb = rewrite(u.path, body, self.headers.get('Cookie'), self.keep, unique)
            except Exception as e:  # a scanner's garbage must not stop the proxy
                log('rewrite failed: %r' % e)
                nb = None
            if nb is not None:
                body = nb
                log('solved %s' % u.path)
        if body is not None:
            headers['Content-Length'] = str(len(body))
        # Other loopback ports (wapiti asks its SSRF endpoint through the
        # proxy too) are passed through as they are.
        dest = ('127.0.0.1', u.port) if u.port else TARGET
        c = http.client.HTTPConnection(*dest, timeout=60)
        try:
            c.request(self.command, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
        except Exception as e:
            self.send_error(502, 'upstream: %s' % e.__class__.__name__)
            return
        finally:
            c.close()
        if self.command == 'POST':
            log('%s %s -> %d' % (self.command, u.path, r.status))
        self.send_response_only(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in HOP and k.lower() != 'content-length':
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = relay
    do_PATCH = do_TRACE = do_PROPFIND = do_DEBUG = relay


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    global TARGET, LOG
    args = sys.argv[1:]
    if '--log' in args:
        i = args.index('--log')
        LOG = args[i + 1]
        del args[i:i + 2]
    if '--keep' in args:
        i = args.index('--keep')
        Proxy.keep = set(args[i + 1].split(','))
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    TARGET = ('127.0.0.1', int(args[1]))
    Server(('127.0.0.1', int(args[0])), Proxy).serve_forever()


if __name__ == '__main__':
    main()
