import BatchMetrics
import FPModel

/// The files every night folder shares under `assets/`: one stylesheet, one small script, and the
/// accounts index the filter searches. Pages link them relatively, so a folder works from
/// `file://`, offline, and copied anywhere; nothing is fetched from elsewhere.
enum Assets {
    static let stylesheet = "report.css"
    static let script = "report.js"
    static let accountsIndex = "accounts.js"

    /// Columns a table can mark numeric by position (`r1` … `r16`); a wider table's later
    /// numeric cells carry the class themselves.
    static let alignedColumns = 16

    static let style = """
        :root{--bg:#fff;--fg:#1b1f23;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--warn-bg:#fff4e5;--warn-fg:#7a4100;--link:#0550ae;\
        --pending:#999999;--in_progress:#0072B2;--completed:#009E73;--failed:#D55E00;--stopped:#E69F00}
        @media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;\
        --warn-bg:#3d2a00;--warn-fg:#ffd8a8;--link:#79c0ff;--pending:#b0b0b0;--in_progress:#56B4E9}}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1200px;padding:1rem 1.25rem 3rem;background:var(--bg);color:var(--fg);\
        font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        a{color:var(--link)}
        h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
        .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem}
        .provenance{color:var(--muted);font-size:.9rem}
        .warning{background:var(--warn-bg);color:var(--warn-fg);border-left:4px solid var(--failed);padding:.75rem 1rem;margin:1rem 0}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.75rem;padding:0;list-style:none}
        .cards li{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem;color:var(--muted);font-size:.85rem}
        .cards b{display:block;color:var(--fg);font-size:1.5rem;font-weight:600}
        .change{font-size:.8rem;color:var(--muted);display:block}
        figure{margin:1rem 0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem}
        figcaption{font-weight:600}figure svg{width:100%;height:auto;display:block}
        .chart-links{font-size:.85rem}
        svg text{fill:var(--fg);font-size:11px}svg .grid{stroke:var(--line)}svg .line{fill:none;stroke-width:2;stroke:var(--c)}svg .fill{fill:var(--c)}svg .axis{stroke:var(--muted)}
        .legend{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:.25rem 0;font-size:.85rem}
        .legend li::before{content:"";display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px;border-radius:2px;background:var(--c)}
        .c-pending{--c:var(--pending)}.c-in_progress{--c:var(--in_progress)}.c-completed{--c:var(--completed)}.c-failed{--c:var(--failed)}.c-stopped{--c:var(--stopped)}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
        thead th{background:var(--card);position:sticky;top:0}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        \(alignedColumnRules)
        .na{color:var(--muted)}.chart-data td{text-align:right;font-variant-numeric:tabular-nums}
        th button{font:inherit;color:inherit;background:none;border:0;padding:0;text-align:inherit;cursor:pointer}th button::after{content:" \\2195";color:var(--muted)}
        th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
        details summary{cursor:pointer;color:var(--link)}
        .filter input{font:inherit;padding:.3rem .5rem;min-width:18rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
        .pages{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;padding:0}
        footer{margin-top:3rem;color:var(--muted);font-size:.85rem}
        @media print{body{max-width:none;font-size:11pt}.skip,.chart-links,details,footer,.filter{display:none}\
        figure,table{break-inside:avoid}thead th{position:static}a{color:inherit;text-decoration:none}}
        """

    /// `.r4 td:nth-child(4)` and so on: a table's numeric columns, aligned by the class on the table.
    private static let alignedColumnRules = (1...alignedColumns).map { ".r\($0) td:nth-child(\($0))" }.joined(separator: ",")
        + "{text-align:right;font-variant-numeric:tabular-nums}"

    /// Sorting and the accounts filter (`index.html#find=TEXT` opens it filtered, for links and
    /// bookmarks). Both only enhance: every table is complete and readable without script, and
    /// the accounts can be browsed page by page.
    static let scriptText = """
        "use strict";
        document.querySelectorAll("table.sortable").forEach(function(t){t.querySelectorAll("thead th").forEach(function(th,i){\
        var b=document.createElement("button");b.type="button";b.textContent=th.textContent;th.textContent="";th.appendChild(b);\
        b.addEventListener("click",function(){var asc=th.getAttribute("aria-sort")!=="ascending";\
        t.querySelectorAll("thead th").forEach(function(h){h.removeAttribute("aria-sort")});\
        th.setAttribute("aria-sort",asc?"ascending":"descending");var num=th.classList.contains("num");\
        function key(r){return r.cells[i].textContent}\
        function n(s){var v=parseFloat(s.replace(/,/g,""));return isNaN(v)?-Infinity:v}\
        function when(s){return /^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)$/.test(s)?Date.parse(s.replace(" ","T")):NaN}\
        var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(a,c){var x=key(a),y=key(c);\
        if(num){x=n(x);y=n(y);return x===y?0:(asc?(x<y?-1:1):(x<y?1:-1))}var p=when(x),q=when(y);\
        if(!isNaN(p)&&!isNaN(q))return asc?p-q:q-p;return asc?x.localeCompare(y):y.localeCompare(x)});rows.forEach(function(r){t.tBodies[0].appendChild(r)})})})});
        (function(){var form=document.getElementById("account-filter");if(!form||!window.FPAccounts)return;\
        var input=form.querySelector("input"),out=document.getElementById("account-matches"),root=form.dataset.root||"",\
        manager=form.dataset.manager,limit=200,heads=["Account","Name","Manager","Completed","Failed","Failure rate","Stuck","Collection"];\
        form.hidden=false;function show(){var q=input.value.trim().toLowerCase();out.textContent="";if(!q)return;var rows=[],total=0;\
        for(var i=0;i<FPAccounts.length;i++){var a=FPAccounts[i];if(manager!==undefined&&a[2]!==manager)continue;\
        if(a[0].toLowerCase().indexOf(q)<0&&a[1].toLowerCase().indexOf(q)<0&&a[2].toLowerCase().indexOf(q)<0)continue;\
        total++;if(rows.length<limit)rows.push(a)}var p=document.createElement("p");p.setAttribute("role","status");\
        p.textContent=total+" matching account(s)"+(total>limit?", the first "+limit+" shown":"");out.appendChild(p);if(!rows.length)return;\
        var t=document.createElement("table"),h=t.createTHead().insertRow();heads.forEach(function(x){var th=document.createElement("th");\
        th.scope="col";th.textContent=x;h.appendChild(th)});var b=t.createTBody();rows.forEach(function(a){var r=b.insertRow(),\
        c=document.createElement("th");c.scope="row";var l=document.createElement("a");l.href=root+"accounts/"+a[3]+".html";\
        l.textContent=a[0];c.appendChild(l);r.appendChild(c);[1,2,4,5,6,7,8].forEach(function(k){var d=r.insertCell();d.textContent=a[k];\
        if(k>3&&k<8)d.className="num"})});out.appendChild(t)}input.addEventListener("input",show);\
        form.addEventListener("submit",function(e){e.preventDefault();show()});\
        var m=/^#find=(.*)$/.exec(location.hash);if(m){input.value=decodeURIComponent(m[1]);show()}})();

        """

    /// `accounts.js`: one entry per account for the filter (id, name, manager, page slug, completed,
    /// failed, failure rate, stuck, collection), as JavaScript string and number literals.
    static func accountsIndex(_ accounts: [AccountNight], emit: (String) throws -> Void) rethrows {
        try emit("window.FPAccounts=[\n")
        for (index, account) in accounts.enumerated() {
            let rate = account.failureRate.map { HTML.percentText($0) } ?? "–"
            let fields = [
                JSONString.literal(account.accountID), JSONString.literal(account.name), JSONString.literal(account.manager),
                JSONString.literal(Slug.make(account.accountID)),
                account.hasData ? String(account.completed) : "\"–\"", account.hasData ? String(account.failed) : "\"–\"",
                JSONString.literal(account.hasData ? rate : "–"), String(account.stuck),
                JSONString.literal(ReportTables.collectionState(account)),
            ]
            try emit("[" + fields.joined(separator: ",") + (index + 1 < accounts.count ? "],\n" : "]\n"))
        }
        try emit("];\n")
    }
}
