// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// A picker over a scoped JSON search (fazhi.core.widgets.RemotePicker): asks data-remote?q=…
// as the user types and offers the rows it answers ({"results": [{value, text, code}]}).
function fazhiRemotePicker(select) {
  var url = select.getAttribute("data-remote");
  new window.TomSelect(select, {
    valueField: "value",
    labelField: "text",
    searchField: ["text", "code"],
    maxOptions: 20,
    loadThrottle: 250,
    placeholder: select.getAttribute("data-placeholder") || "",
    shouldLoad: function (query) {
      return query.trim().length > 0;
    },
    load: function (query, callback) {
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          callback(data.results || []);
        })
        .catch(function () {
          callback();
        });
    },
    render: {
      option: function (item, escape) {
        var extra = [item.code, item.organisation].filter(Boolean).map(escape).join(" · ");
        return "<div>" + escape(item.text) + (extra ? ' <span class="text-muted small">' + extra + "</span>" : "") + "</div>";
      },
      no_results: function () {
        return '<div class="no-results">没有匹配的记录</div>';
      },
      loading: function () {
        return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">正在搜索</span></div>';
      },
    },
  });
}

// Searchable selects (Tom Select, from the django-tomselect wheel): every multiple select, and a
// single select marked data-search or with more than 15 choices.
function fazhiSearchableSelects(root) {
  if (typeof window.TomSelect !== "function") {
    return;
  }
  root.querySelectorAll("select").forEach(function (select) {
    if (select.tomselect || select.hasAttribute("data-no-search")) {
      return;
    }
    if (select.hasAttribute("data-remote")) {
      fazhiRemotePicker(select);
      return;
    }
    if (select.multiple || select.hasAttribute("data-search") || select.options.length > 15) {
      var options = {
        maxOptions: null,
        render: {
          no_results: function () {
            return '<div class="no-results">没有匹配的选项</div>';
          },
        },
      };
      if (select.multiple) {
        options.plugins = ["remove_button"];
      }
      new window.TomSelect(select, options);
    }
  });
}
document.addEventListener("DOMContentLoaded", function () {
  fazhiSearchableSelects(document);
});
document.addEventListener("htmx:afterSwap", function (event) {
  fazhiSearchableSelects(event.target);
});

// A list's page-size choice and a filter select submit their form at once.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("[data-autosubmit]") && target.form) {
    target.form.requestSubmit();
  }
});

// Phone cards: every cell of a table.fazhi-cards is labelled with its column's heading.
function fazhiLabelCells(root) {
  root.querySelectorAll("table.fazhi-cards").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (!cell.hasAttribute("data-label") && headings[index] && cell.colSpan === 1) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  fazhiLabelCells(document);
});
document.addEventListener("htmx:afterSwap", function (event) {
  fazhiLabelCells(event.target);
});

// A required select with a single real choice starts with it chosen.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form select[required]:not([multiple])").forEach(function (select) {
    var real = Array.prototype.filter.call(select.options, function (option) {
      return option.value !== "";
    });
    if (real.length === 1 && select.value === "") {
      select.value = real[0].value;
    }
  });
});
