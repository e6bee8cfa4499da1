#!/usr/bin/env python3
"""Writes data/mini: a tiny gold-text dataset in the format of ../shared/data.

    python3 data/mini/make.py              # rewrites data/mini in place
    python3 data/mini/make.py --out DIR    # writes the same files under DIR

Everything here is invented for dehusk's tests: seven made-up sites (each with its own
page template, so a site's boilerplate repeats across its pages the way real templates
do) and twelve pages of text written for this file. Output:

    truth.jsonl            one JSON object per page: id, split, host, page_type,
                           main_content, and with/without snippets on a few pages
    html/<id>.html.gz      the page (gzip with mtime 0 and no file name, so the bytes
                           depend only on the content and zlib)
    text/<id>.txt          the page as plain text, one visible block per line (WET-like;
                           list items indented by two spaces per level)

Splits follow the shared datasets' rule in spirit: whole sites are train or dev, never
both. Standard library only; the output is deterministic.
"""

import argparse
import gzip
import html
import json
import os
from html.parser import HTMLParser

# ---------------------------------------------------------------------------------------
# Page text. Each page: id, site, title, date, author, paragraphs, and optional
# ingredients/steps (recipes) or code (docs).
# ---------------------------------------------------------------------------------------

PAGES = [
    {
        "id": "gazette-1",
        "site": "gazette",
        "title": "Ferry service to Gull Island resumes after engine overhaul",
        "date": "March 4, 2025",
        "author": "Priya Raman",
        "paragraphs": [
            "The passenger ferry to Gull Island returned to service on Monday after a seven-week engine overhaul that left the island's two hundred residents relying on a single water taxi and the goodwill of local fishing crews.",
            "The harbour authority said the ferry's twin diesel engines had been rebuilt at a yard in Portsend and that the vessel passed its sea trials last Thursday. The first crossing left the mainland pier at a quarter past seven with eleven passengers and a pallet of groceries for the island shop.",
            "Islanders had complained that the replacement water taxi could carry no more than eight people and could not sail in winds above twenty knots. Teacher Colm Doherty said the island school had been forced to close on four days in February because staff could not get across.",
            "The authority has promised a review of its contingency plans before next winter. A spokesperson said options include chartering a second vessel during planned maintenance and scheduling major work in the summer months, when the weather is calmer.",
        ],
        "with": ["The harbour authority said the ferry's twin diesel engines had been rebuilt at a yard in Portsend and that the vessel passed its sea trials last Thursday."],
        "without": ["All rights reserved", "Most read"],
    },
    {
        "id": "gazette-2",
        "site": "gazette",
        "title": "School board votes to keep the four-day week for another year",
        "date": "April 17, 2025",
        "author": "Priya Raman",
        "paragraphs": [
            "The Valley School Board voted five to two on Wednesday night to keep the four-day school week for the next academic year, despite a petition from parents who say the long weekend leaves working families scrambling for childcare.",
            "The district switched to a Monday-to-Thursday timetable two years ago to save on transport and heating costs and to help recruit teachers, who had been leaving for better-paid jobs in the city. Superintendent Alma Reyes told the board that vacancies had fallen from nineteen to four since the change.",
            "Parents who spoke at the meeting were divided. Several said their children were less tired and more focused, while others described paying for Friday care they could barely afford. One father said he had used up his annual leave by October.",
            "The board agreed to expand the Friday activity programme run at the community centre, which currently has places for sixty children and a waiting list of more than a hundred. The extra places will be funded from the transport savings.",
            "A full review of the four-day week, including test results and attendance figures, is due to be published in December.",
        ],
    },
    {
        "id": "kitchen-1",
        "site": "kitchen",
        "title": "Lemon and thyme roast chicken thighs",
        "date": "February 2, 2025",
        "author": "Hannah",
        "paragraphs": [
            "This is the dinner I make when I have had a long day and want something that tastes like I tried. Bone-in thighs are forgiving: they stay juicy even if you leave them in the oven a few minutes too long, and the skin crisps beautifully.",
            "The trick is to roast the lemon halves alongside the chicken. They soften and caramelise, and squeezing them over the finished dish gives a sweeter, rounder sourness than fresh juice.",
            "Serve it with crusty bread to mop up the pan juices, or with a pile of buttered green beans.",
        ],
        "ingredients": [
            "8 bone-in, skin-on chicken thighs",
            "2 lemons, halved",
            "6 sprigs fresh thyme",
            "4 cloves garlic, lightly crushed",
            "2 tablespoons olive oil",
            "Salt and black pepper",
        ],
        "steps": [
            "Heat the oven to 220°C and pat the chicken thighs dry with kitchen paper.",
            "Toss the thighs with the olive oil, thyme, garlic, salt and pepper in a roasting tin, and arrange them skin side up with the lemon halves cut side down between them.",
            "Roast for 40 to 45 minutes, until the skin is deep golden and the juices run clear.",
            "Squeeze the roasted lemons over the chicken and rest for five minutes before serving.",
        ],
        "with": ["They soften and caramelise, and squeezing them over the finished dish gives a sweeter, rounder sourness than fresh juice."],
        "without": ["Leave a Reply", "Jump to Recipe"],
    },
    {
        "id": "kitchen-2",
        "site": "kitchen",
        "title": "Brown butter oat cookies",
        "date": "January 12, 2025",
        "author": "Hannah",
        "paragraphs": [
            "Browning the butter takes five extra minutes and changes everything about these cookies. The milk solids toast in the pan and give the dough a nutty, almost caramel flavour that plain melted butter never will.",
            "Let the dough rest in the fridge for at least an hour if you can. The oats soak up some of the butter, and the cookies spread less and stay chewy in the middle.",
        ],
        "ingredients": [
            "170 g unsalted butter",
            "150 g light brown sugar",
            "50 g caster sugar",
            "1 egg and 1 egg yolk",
            "180 g plain flour",
            "120 g rolled oats",
            "1 teaspoon baking soda",
            "Half a teaspoon of flaky salt",
        ],
        "steps": [
            "Melt the butter in a light-coloured pan over medium heat and keep cooking, swirling, until it smells nutty and the solids turn brown. Pour it into a bowl and let it cool for ten minutes.",
            "Whisk in both sugars, then the egg and yolk, until glossy.",
            "Stir in the flour, oats and baking soda, cover the bowl and chill for an hour.",
            "Roll the dough into balls, sprinkle with flaky salt and bake at 180°C for 11 to 12 minutes.",
        ],
    },
    {
        "id": "tidepool-1",
        "site": "tidepool",
        "title": "Configuring retries",
        "section": "Guides",
        "paragraphs": [
            "Tidepool retries a request when the connection fails before any response arrives, or when the server answers with status 502, 503 or 504. Other errors are returned to the caller straight away, because retrying them is rarely safe.",
            "By default a client makes up to three attempts with exponential backoff, starting at 200 milliseconds and doubling each time, with random jitter so that many clients do not retry in lockstep.",
            "You can change the policy for a whole client or for a single request. A per-request policy replaces the client's policy entirely; it is not merged with it.",
            "Requests with a body that cannot be replayed, such as a stream read from a socket, are never retried, whatever the policy says.",
        ],
        "code": "client = tidepool.Client(\n    retry=tidepool.Retry(attempts=5, backoff=0.5, statuses={502, 503, 504}),\n)\nresponse = client.get(\"https://api.example.com/items\")",
    },
    {
        "id": "tidepool-2",
        "site": "tidepool",
        "title": "Streaming responses",
        "section": "Guides",
        "paragraphs": [
            "Large downloads should not be read into memory at once. Open the response as a stream and read it in chunks instead, so that memory use stays flat whatever the size of the body.",
            "A streamed response keeps its connection checked out of the pool until the body has been read to the end or the response is closed. Use the response as a context manager so the connection is released even when your code raises an exception.",
            "The chunk size is a hint, not a promise: the last chunk is usually shorter, and compressed bodies are decoded as they arrive, so chunks may be larger than requested.",
        ],
        "code": "with client.stream(\"GET\", url) as response:\n    for chunk in response.iter_bytes(chunk_size=65536):\n        out.write(chunk)",
        "with": ["A streamed response keeps its connection checked out of the pool until the body has been read to the end or the response is closed."],
        "without": ["Was this page helpful?", "Edit this page"],
    },
    {
        "id": "slowmiles-1",
        "site": "slowmiles",
        "title": "What a winter of slow running taught me",
        "date": "March 22, 2025",
        "author": "Ben Okoro",
        "paragraphs": [
            "Last November I made myself a promise: for three months I would run every easy run slowly enough to hold a conversation. No watch beeping at me about pace, no racing the neighbour's dog up the hill.",
            "The first two weeks were humbling. Running that slowly felt like walking with extra steps, and I was sure I was losing fitness. My average pace dropped by almost a minute per kilometre.",
            "Then something changed. By January I could run for ninety minutes without feeling wrecked the next morning, and the nagging ache in my left knee, which had followed me around for two years, simply faded away.",
            "When I finally ran a hard session in February, I was faster over five kilometres than I had been the previous autumn. I had done less hard work, not more, but I had recovered from all of it.",
            "I am not going to pretend slow running is a secret. Coaches have been saying it for decades. But it took a winter of doing it for me to believe it.",
        ],
    },
    {
        "id": "slowmiles-2",
        "site": "slowmiles",
        "title": "Three days on the coastal path with a borrowed tent",
        "date": "May 9, 2025",
        "author": "Ben Okoro",
        "paragraphs": [
            "My friend Dara lent me her tent with one warning: the front zip sticks when it is wet. On the first night it rained for nine hours, so I learned a great deal about that zip.",
            "The plan was simple. Walk the sixty kilometres of coastal path between Carrick Head and the lighthouse at Brenna, camp wherever the rules allowed, and carry everything on my back.",
            "The first day was all cliffs and wind. The path climbs and drops so often that my legs had stopped complaining by lunchtime, mostly because they had given up. A seal followed me along the shore below for nearly an hour.",
            "On the second day the weather cleared and I walked through fields of sea pinks with the whole bay spread out below me. I met three other walkers all day, and one of them gave me half a bar of chocolate for no reason at all.",
            "The last stretch to the lighthouse is the hardest, a long climb over loose stones, and I did it in the middle of a hailstorm. The keeper's cottage is now a cafe, and I have never been so happy to see a pot of tea.",
            "I gave the tent back to Dara with a new respect for its zip and a promise to buy my own before the summer.",
        ],
    },
    {
        "id": "herald-1",
        "site": "herald",
        "title": "Harbour market traders win their fight over new stall fees",
        "date": "6 June 2025",
        "author": "Eilidh Moran",
        "paragraphs": [
            "Traders at the Saturday harbour market have won their campaign against a steep rise in stall fees after the district council agreed to phase in the increase over three years instead of introducing it all at once in July.",
            "The council had proposed raising the weekly fee for a standard pitch from thirty-five to sixty pounds to cover the cost of new lighting, drainage and a covered area for wet days. Traders said the rise would push small stallholders out of the market.",
            "More than four hundred customers signed a letter of support, and fishmonger Iain Baird, who has traded at the harbour for twenty-six years, addressed the council's finance committee on Tuesday.",
            "Under the compromise, fees will rise to forty-five pounds next month and reach sixty pounds only in 2027. Stallholders who trade every week through the winter will receive a ten per cent discount.",
            "Baird said he was pleased but would keep a close eye on the promised improvements. The covered area is due to open before the autumn.",
        ],
        "with": ["Under the compromise, fees will rise to forty-five pounds next month and reach sixty pounds only in 2027."],
        "without": ["Sign up to our newsletter", "All rights reserved"],
    },
    {
        "id": "herald-2",
        "site": "herald",
        "title": "Lifeboat crew rescues two kayakers off Beacon Point",
        "date": "14 June 2025",
        "author": "Callum Reid",
        "paragraphs": [
            "Two kayakers were rescued off Beacon Point on Sunday afternoon after strong offshore winds swept them more than a mile out to sea.",
            "The volunteer lifeboat crew launched at ten past three after a walker on the cliffs saw one of the kayaks capsize and called the coastguard. Both men were found clinging to an upturned boat and were brought back to the harbour within forty minutes.",
            "Helm Morag Sinclair said the pair had been wearing buoyancy aids, which almost certainly saved their lives, but had no way of calling for help. She urged anyone going out on the water to carry a phone in a waterproof pouch or a personal locator beacon.",
            "Both men were checked by paramedics at the lifeboat station and did not need hospital treatment.",
        ],
    },
    {
        "id": "pantry-1",
        "site": "pantry",
        "title": "Weeknight chickpea and spinach curry",
        "date": "May 28, 2025",
        "author": "Sam",
        "paragraphs": [
            "This curry comes together in about twenty-five minutes from things that live in my cupboard, which is exactly why I make it at least once a week.",
            "Blooming the spices in oil before the onions go in makes a real difference. It only takes a minute, but the curry tastes as though it has been simmering for an hour.",
            "If you like more heat, add a chopped green chilli with the garlic and ginger.",
        ],
        "ingredients": [
            "2 tablespoons vegetable oil",
            "1 teaspoon cumin seeds",
            "1 onion, finely chopped",
            "3 cloves garlic and a thumb of ginger, grated",
            "2 teaspoons garam masala",
            "1 tin chopped tomatoes",
            "2 tins chickpeas, drained",
            "200 g baby spinach",
        ],
        "steps": [
            "Heat the oil and fry the cumin seeds until they crackle, then add the onion and cook until soft and golden.",
            "Stir in the garlic, ginger and garam masala and cook for one minute.",
            "Add the tomatoes and chickpeas with half a tin of water and simmer for fifteen minutes.",
            "Wilt in the spinach, season with salt and serve with rice or flatbreads.",
        ],
    },
    {
        "id": "lumen-1",
        "site": "lumen",
        "title": "Installing Lumen on Linux",
        "section": "Getting started",
        "paragraphs": [
            "Lumen ships as a single static binary for x86-64 and ARM64 Linux. It has no runtime dependencies, so installing it is a matter of downloading the archive for your platform and putting the binary somewhere on your PATH.",
            "The install script below detects your architecture, verifies the archive's checksum and installs the binary into your home directory. Read it before you run it; it is short.",
            "If you manage your machines with a package manager, the release page also has Debian and RPM packages, which install the binary system-wide and add a manual page.",
            "Run lumen --version afterwards to check that the shell finds the new binary.",
        ],
        "code": "curl -fsSL https://lumen.example/install.sh -o install.sh\nless install.sh\nsh install.sh --prefix \"$HOME/.local\"",
    },
]

SITES = {
    # site: (host, split, page_type)
    "gazette": ("valleygazette.example", "train", "article"),
    "kitchen": ("quietkitchen.example", "train", "article"),
    "tidepool": ("docs.tidepool.example", "train", "documentation"),
    "slowmiles": ("slowmiles.example", "train", "article"),
    "herald": ("harbourherald.example", "dev", "article"),
    "pantry": ("pantrynotes.example", "dev", "article"),
    "lumen": ("docs.lumen.example", "dev", "documentation"),
}

# ---------------------------------------------------------------------------------------
# Templates: one per site. `e` escapes text for HTML.
# ---------------------------------------------------------------------------------------


def e(s):
    return html.escape(s, quote=False)


def paras(page, indent="      "):
    return "\n".join(f"{indent}<p>{e(p)}</p>" for p in page["paragraphs"])


def recipe_card(page, cls):
    ing = "\n".join(f"        <li>{e(i)}</li>" for i in page["ingredients"])
    steps = "\n".join(f"        <li>{e(s)}</li>" for s in page["steps"])
    return f"""    <div class="{cls}" id="recipe">
      <h2>{e(page["title"])}</h2>
      <div class="{cls}-meta"><span>Prep 15 min</span> <span>Cook 40 min</span> <span>Serves 4</span></div>
      <h3>Ingredients</h3>
      <ul>
{ing}
      </ul>
      <h3>Method</h3>
      <ol>
{steps}
      </ol>
    </div>"""


def tpl_gazette(page, others):
    related = "\n".join(
        f'      <li><a href="/news/{o["id"]}/">{e(o["title"])}</a></li>' for o in others
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} - The Valley Gazette</title>
<script>window.gz = {{section: "news"}};</script>
</head>
<body>
<div class="cookie-notice">This site uses cookies. By continuing to browse you agree to our cookie policy. <a href="/cookies/">Learn more</a> <button>OK</button></div>
<header class="site-header">
  <a class="brand" href="/">The Valley Gazette</a>
  <nav class="menu">
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/news/">News</a></li>
      <li><a href="/sport/">Sport</a></li>
      <li><a href="/weather/">Weather</a></li>
      <li><a href="/jobs/">Jobs</a></li>
    </ul>
  </nav>
</header>
<main>
  <article>
    <h1>{e(page["title"])}</h1>
    <p class="byline">By {e(page["author"])} | {e(page["date"])}</p>
    <div class="article-body">
{paras(page)}
    </div>
    <div class="share">Share: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
  </article>
  <aside class="most-read">
    <h2>Most read</h2>
    <ol>
{related}
      <li><a href="/news/weather-warning/">Yellow weather warning issued for the weekend</a></li>
    </ol>
  </aside>
</main>
<footer>
  <p><a href="/about/">About</a> | <a href="/contact/">Contact</a> | <a href="/privacy/">Privacy</a></p>
  <p>© 2025 Valley Gazette Ltd. All rights reserved.</p>
</footer>
</body>
</html>
"""


def tpl_kitchen(page, others):
    more = "\n".join(
        f'    <li><a href="/{o["id"]}/">{e(o["title"])}</a></li>' for o in others
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} | The Quiet Kitchen</title>
<style>.recipe-card{{border:1px solid #ddd}}</style>
</head>
<body>
<header>
  <div class="logo"><a href="/">The Quiet Kitchen</a></div>
  <nav>
    <ul>
      <li><a href="/recipes/">Recipes</a></li>
      <li><a href="/baking/">Baking</a></li>
      <li><a href="/about/">About</a></li>
      <li><a href="/shop/">Shop</a></li>
    </ul>
  </nav>
</header>
<div class="content">
  <article class="post">
    <h1>{e(page["title"])}</h1>
    <div class="post-meta">Posted on {e(page["date"])} by {e(page["author"])} · <a href="#comments">3 comments</a></div>
    <div class="recipe-buttons"><a href="#recipe">Jump to Recipe</a> <a href="#print">Print Recipe</a></div>
    <div class="entry-content">
{paras(page)}
    </div>
{recipe_card(page, "recipe-card")}
  </article>
  <section class="more-recipes">
    <h3>You may also like</h3>
    <ul>
{more}
    </ul>
  </section>
  <section id="comments" class="comments">
    <h3>Leave a Reply</h3>
    <p>Your email address will not be published. Required fields are marked *</p>
    <form><label>Comment *</label><textarea></textarea><label>Name *</label><input><button>Post Comment</button></form>
  </section>
</div>
<footer class="site-footer">
  <p>Copyright © 2025 The Quiet Kitchen · Privacy Policy · Powered by coffee</p>
</footer>
</body>
</html>
"""


def tpl_docs(brand, cls):
    def render(page, others):
        toc = "\n".join(
            f'        <li><a href="/guides/{o["id"]}/">{e(o["title"])}</a></li>' for o in others
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} - {brand} documentation</title>
</head>
<body class="{cls}">
<div class="topbar"><a class="logo" href="/">{brand}</a> <a href="/docs/">Docs</a> <a href="/api/">API reference</a> <a href="/changelog/">Changelog</a> <a href="https://github.example/{cls}">GitHub</a></div>
<div class="layout">
  <nav class="sidebar">
    <p class="sidebar-title">{e(page["section"])}</p>
    <ul>
      <li><a href="/docs/">Introduction</a></li>
{toc}
      <li><a href="/docs/faq/">FAQ</a></li>
    </ul>
  </nav>
  <main class="doc">
    <div class="breadcrumbs"><a href="/docs/">Docs</a> › {e(page["section"])}</div>
    <h1>{e(page["title"])}</h1>
{paras(page, "    ")}
    <pre><code>{e(page["code"])}</code></pre>
    <div class="doc-footer">
      <a href="/edit/{page["id"]}">Edit this page</a>
      <div class="feedback">Was this page helpful? <button>Yes</button> <button>No</button></div>
      <div class="pager"><a href="/docs/">Previous: Introduction</a> <a href="/docs/faq/">Next: FAQ</a></div>
    </div>
  </main>
</div>
<footer><p>© 2025 The {brand} authors. Licensed under the MIT license.</p></footer>
</body>
</html>
"""

    return render


def tpl_slowmiles(page, others):
    more = "\n".join(
        f'      <li><a href="/posts/{o["id"]}/">{e(o["title"])}</a></li>' for o in others
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} — Slow Miles</title>
</head>
<body>
<header class="blog-header">
  <a class="blog-title" href="/">Slow Miles</a>
  <p class="blog-tagline">Running, walking and getting lost on purpose</p>
  <nav><a href="/">Home</a> <a href="/archive/">Archive</a> <a href="/about/">About</a> <a href="/gear/">Gear</a></nav>
</header>
<main>
  <article class="h-entry">
    <h1 class="p-name">{e(page["title"])}</h1>
    <p class="post-date">{e(page["date"])} · 6 min read</p>
    <div class="e-content">
{paras(page)}
    </div>
    <p class="tags">Tagged: <a href="/tags/running/">running</a>, <a href="/tags/outdoors/">outdoors</a></p>
    <div class="share-links">Share on <a href="#">Mastodon</a> · <a href="#">Bluesky</a> · <a href="#">Email</a></div>
    <div class="author-box">
      <p>{e(page["author"])} writes about running slowly and walking far. He lives by the sea with a dog who refuses to do either.</p>
    </div>
  </article>
  <section class="you-may-like">
    <h2>You may also like</h2>
    <ul>
{more}
    </ul>
  </section>
  <div class="newsletter">
    <h2>Get new posts by email</h2>
    <form><input type="email" placeholder="you@example.com"><button>Subscribe</button></form>
    <p>No spam. Unsubscribe at any time.</p>
  </div>
</main>
<footer><p>© 2025 Slow Miles. Built with a static site generator.</p></footer>
</body>
</html>
"""


def tpl_herald(page, others):
    latest = "\n".join(
        f'        <li><a href="/news/{o["id"]}">{e(o["title"])}</a></li>' for o in others
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} | Harbour Herald</title>
</head>
<body>
<a class="skip" href="#content">Skip to main content</a>
<div class="gdpr-banner"><p>We and our partners use cookies to personalise content and ads. <a href="/privacy">Privacy notice</a></p><button>Accept</button><button>Reject</button></div>
<div class="masthead">
  <div class="date-bar">{e(page["date"])}</div>
  <a class="title" href="/">Harbour Herald</a>
  <ul class="sections">
    <li><a href="/news">News</a></li>
    <li><a href="/harbour">Harbour</a></li>
    <li><a href="/sport">Sport</a></li>
    <li><a href="/whats-on">What's On</a></li>
    <li><a href="/notices">Notices</a></li>
  </ul>
</div>
<div id="content" class="container">
  <div class="main-column">
    <h1 class="story-title">{e(page["title"])}</h1>
    <div class="story-meta"><span class="author">{e(page["author"])}</span> <span class="date">{e(page["date"])}</span></div>
    <div class="story-text">
{paras(page)}
    </div>
    <div class="social">Share this article <a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">Copy link</a></div>
    <div class="signup"><h3>Sign up to our newsletter</h3><p>The harbour's news, every Friday.</p><form><input type="email"><button>Sign up</button></form></div>
  </div>
  <div class="side-column">
    <div class="latest">
      <h2>Latest news</h2>
      <ul>
{latest}
        <li><a href="/news/tide-tables">Tide tables for the week ahead</a></li>
      </ul>
    </div>
  </div>
</div>
<footer class="site-foot">
  <p><a href="/contact">Contact us</a> · <a href="/advertise">Advertise</a> · <a href="/terms">Terms</a></p>
  <p>© Harbour Herald 2025. All rights reserved.</p>
</footer>
</body>
</html>
"""


def tpl_pantry(page, others):
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(page["title"])} · Pantry Notes</title>
</head>
<body>
<nav class="navbar"><a class="navbar-brand" href="/">Pantry Notes</a> <a href="/recipes">All recipes</a> <a href="/pantry-list">The pantry list</a> <a href="/search">Search</a></nav>
<div class="wrapper">
  <div class="post">
    <h1>{e(page["title"])}</h1>
    <p class="meta">{e(page["date"])} · by {e(page["author"])} · Leave a comment</p>
{paras(page, "    ")}
{recipe_card(page, "wprm-recipe")}
    <p class="disclosure">This post may contain affiliate links. As an affiliate we earn from qualifying purchases.</p>
    <div class="share-row"><a href="#">Pin it</a> <a href="#">Share</a> <a href="#">Print</a></div>
  </div>
  <div class="sidebar">
    <h3>Hi, I'm {e(page["author"])}!</h3>
    <p>I cook fast food from a slow cupboard. Read more about me.</p>
    <h3>Popular</h3>
    <ul><li><a href="/dal">Ten-minute red lentil dal</a></li><li><a href="/flatbreads">No-yeast flatbreads</a></li></ul>
  </div>
</div>
<footer><p>© 2025 Pantry Notes · Privacy · Terms</p></footer>
</body>
</html>
"""


TEMPLATES = {
    "gazette": tpl_gazette,
    "kitchen": tpl_kitchen,
    "tidepool": tpl_docs("Tidepool", "tidepool"),
    "slowmiles": tpl_slowmiles,
    "herald": tpl_herald,
    "pantry": tpl_pantry,
    "lumen": tpl_docs("Lumen", "lumen"),
}

# ---------------------------------------------------------------------------------------
# The gold text and the plain-text rendering.
# ---------------------------------------------------------------------------------------


def main_content(page):
    parts = [page["title"]] + page["paragraphs"]
    if "code" in page:
        parts.append(page["code"])
    if "ingredients" in page:
        parts.append("Ingredients")
        parts.append("\n".join(page["ingredients"]))
        parts.append("Method")
        parts.append("\n".join(page["steps"]))
    return "\n\n".join(parts)


BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "button", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "label", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "td", "textarea", "th", "tr", "ul", "br",
}
SKIP_TAGS = {"head", "script", "style", "title", "noscript", "template"}


class TextRenderer(HTMLParser):
    """Visible text, one block per line, list items indented by list depth."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []
        self.buf = []
        self.skip = 0
        self.lists = 0
        self.pre = 0
        self.indent = 0

    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        if self.pre:
            for line in text.split("\n"):
                if line.strip():
                    self.lines.append(line.rstrip())
            return
        text = " ".join(text.split())
        if text:
            self.lines.append(" " * self.indent + text)

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
            return
        if tag in BLOCK_TAGS:
            self.flush()
        if tag in ("ul", "ol"):
            self.lists += 1
        if tag == "li":
            self.indent = 2 * self.lists
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip -= 1
            return
        if tag in BLOCK_TAGS:
            self.flush()
        if tag in ("ul", "ol"):
            self.lists -= 1
        if tag == "li":
            self.indent = 0
        if tag == "pre":
            self.pre -= 1

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)

    def render(self, markup):
        self.feed(markup)
        self.close()
        self.flush()
        return "\n".join(self.lines) + "\n"


def to_text(markup):
    return TextRenderer().render(markup)


# ---------------------------------------------------------------------------------------


def build(out):
    os.makedirs(os.path.join(out, "html"), exist_ok=True)
    os.makedirs(os.path.join(out, "text"), exist_ok=True)
    records = []
    for page in PAGES:
        host, split, page_type = SITES[page["site"]]
        others = [o for o in PAGES if o["site"] == page["site"] and o["id"] != page["id"]]
        markup = TEMPLATES[page["site"]](page, others)
        with open(os.path.join(out, "html", page["id"] + ".html.gz"), "wb") as f:
            f.write(gzip.compress(markup.encode("utf-8"), compresslevel=9, mtime=0))
        with open(os.path.join(out, "text", page["id"] + ".txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write(to_text(markup))
        rec = {
            "id": page["id"],
            "split": split,
            "host": host,
            "page_type": page_type,
            "title": page["title"],
            "main_content": main_content(page),
        }
        if "with" in page:
            rec["with"] = page["with"]
            rec["without"] = page["without"]
        records.append(rec)
    with open(os.path.join(out, "truth.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="where to write (default: the folder of this script)")
    a = ap.parse_args()
    records = build(a.out)
    train = sum(r["split"] == "train" for r in records)
    print(f"wrote {len(records)} pages ({train} train, {len(records) - train} dev) to {a.out}")


if __name__ == "__main__":
    main()
