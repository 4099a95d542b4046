/*
 * Fazhi draw verifier for the browser (双随机抽取 浏览器核验).
 *
 * Written from the protocol's specification (docs/draw-protocol.md, also offered at
 * /public/downloads/draw-protocol.md), independently of Fazhi's engine: it recomputes every
 * candidate-list hash, the pool and context hashes, the witnesses' commitments, the
 * announcement hash, the seed, the targets, the inspector teams with every constraint and skip,
 * and the result hash of an export (fazhi-draw-export/1), and compares each with the export.
 * SHA-256 comes from the browser (SubtleCrypto); BLAKE2b (RFC 7693) is implemented below and
 * checked in CI against RFC 7693's example and the protocol's vectors.
 * One file, no dependencies, nothing sent anywhere: the export is read and checked locally.
 */
(function () {
  "use strict";

  var EXPORT_FORMAT = "fazhi-draw-export/1";
  var ALGORITHM = "fazhi-draw/1";
  var EXPORT_FORMAT_2 = "fazhi-draw-export/2";
  var ALGORITHM_2 = "fazhi-draw/2";
  var WITNESS_PREFIX = "fazhi-draw/2:witness:";
  var DRAND_QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
  var DRAND_GENESIS = 1692803367;
  var DRAND_PERIOD = 3;
  // kind: [period digits, year digits, value digits]
  var LOTTERIES = { "cwl-3d": [7, 4, 3], "sports-pl5": [5, 2, 5] };
  var U64 = 1n << 64n;

  function Mismatch(message) {
    this.message = message;
  }

  // --- BLAKE2b (RFC 7693) --------------------------------------------------------------------
  // 64-bit words are held as two 32-bit halves (low word at the even index) in Uint32Arrays;
  // additions carry from the low half into the high half, rotations exchange bits between them.

  var IV = new Uint32Array([
    0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
    0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
  ]);
  var SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
  ];
  var v = new Uint32Array(32);
  var m = new Uint32Array(32);

  // v[a] += v[b]
  function add(a, b) {
    var lo = v[a] + v[b];
    var hi = v[a + 1] + v[b + 1];
    if (lo >= 0x100000000) hi++;
    v[a] = lo;
    v[a + 1] = hi;
  }

  // v[a] += m[i]
  function addMessage(a, i) {
    var lo = v[a] + m[i];
    var hi = v[a + 1] + m[i + 1];
    if (lo >= 0x100000000) hi++;
    v[a] = lo;
    v[a + 1] = hi;
  }

  // the mixing function G on words a, b, c, d (indices of low halves) with message words x, y
  function g(a, b, c, d, x, y) {
    var lo, hi;
    add(a, b);
    addMessage(a, x);
    lo = v[d] ^ v[a];
    hi = v[d + 1] ^ v[a + 1];
    v[d] = hi; // rotate right 32
    v[d + 1] = lo;
    add(c, d);
    lo = v[b] ^ v[c];
    hi = v[b + 1] ^ v[c + 1];
    v[b] = (lo >>> 24) ^ (hi << 8); // rotate right 24
    v[b + 1] = (hi >>> 24) ^ (lo << 8);
    add(a, b);
    addMessage(a, y);
    lo = v[d] ^ v[a];
    hi = v[d + 1] ^ v[a + 1];
    v[d] = (lo >>> 16) ^ (hi << 16); // rotate right 16
    v[d + 1] = (hi >>> 16) ^ (lo << 16);
    add(c, d);
    lo = v[b] ^ v[c];
    hi = v[b + 1] ^ v[c + 1];
    v[b] = (hi >>> 31) ^ (lo << 1); // rotate right 63
    v[b + 1] = (lo >>> 31) ^ (hi << 1);
  }

  // h: the state, 16 halves (changed in place); block: 128 bytes; t: bytes so far; last: final
  function compress(h, block, t, last) {
    var i;
    for (i = 0; i < 16; i++) {
      v[i] = h[i];
      v[i + 16] = IV[i];
    }
    v[24] ^= t % 0x100000000;
    v[25] ^= Math.floor(t / 0x100000000);
    if (last) {
      v[28] = ~v[28];
      v[29] = ~v[29];
    }
    for (i = 0; i < 32; i++) {
      m[i] = block[i * 4] | (block[i * 4 + 1] << 8) | (block[i * 4 + 2] << 16) | (block[i * 4 + 3] << 24);
    }
    for (var r = 0; r < 12; r++) {
      var s = SIGMA[r % 10];
      g(0, 8, 16, 24, s[0] * 2, s[1] * 2);
      g(2, 10, 18, 26, s[2] * 2, s[3] * 2);
      g(4, 12, 20, 28, s[4] * 2, s[5] * 2);
      g(6, 14, 22, 30, s[6] * 2, s[7] * 2);
      g(0, 10, 20, 30, s[8] * 2, s[9] * 2);
      g(2, 12, 22, 24, s[10] * 2, s[11] * 2);
      g(4, 14, 16, 26, s[12] * 2, s[13] * 2);
      g(6, 8, 18, 28, s[14] * 2, s[15] * 2);
    }
    for (i = 0; i < 16; i++) h[i] = h[i] ^ v[i] ^ v[i + 16];
  }

  function initialState(keyLength, outLength) {
    var h = new Uint32Array(IV);
    h[0] ^= 0x01010000 ^ (keyLength << 8) ^ outLength;
    return h;
  }

  // absorb `data` into state `h` whose counter is `t`; the final block is always compressed last
  function absorb(h, t, data) {
    var offset = 0;
    while (data.length - offset > 128) {
      t += 128;
      compress(h, data.subarray(offset, offset + 128), t, false);
      offset += 128;
    }
    var block = new Uint8Array(128);
    block.set(data.subarray(offset));
    t += data.length - offset;
    compress(h, block, t, true);
  }

  function stateBytes(h, outLength) {
    var out = new Uint8Array(outLength);
    for (var i = 0; i < outLength; i++) out[i] = (h[i >> 2] >>> (8 * (i & 3))) & 0xff;
    return out;
  }

  function blake2b(message, key, outLength) {
    key = key || new Uint8Array(0);
    var h = initialState(key.length, outLength);
    var data = message;
    if (key.length > 0) {
      data = new Uint8Array(128 + message.length);
      data.set(key);
      data.set(message, 128);
    }
    absorb(h, 0, data);
    return stateBytes(h, outLength);
  }

  // The protocol's keyed BLAKE2b-64 (section 1): 16 hex digits of the 8 digest bytes, which
  // compare as strings exactly as the big-endian integers do. The key block is compressed once.
  function keyedHasher(seed) {
    var base = initialState(seed.length, 8);
    var keyBlock = new Uint8Array(128);
    keyBlock.set(seed);
    compress(base, keyBlock, 128, false);
    var h = new Uint32Array(16);
    return function (text) {
      var message = utf8(text);
      if (message.length === 0) return hex(blake2b(message, seed, 8));
      h.set(base);
      absorb(h, 128, message);
      return hex(stateBytes(h, 8));
    };
  }

  // --- primitives ----------------------------------------------------------------------------

  var encoder = new TextEncoder();

  function utf8(text) {
    return encoder.encode(text);
  }

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function fromHex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
    return out;
  }

  async function sha(text) {
    if (!(window.crypto && window.crypto.subtle)) {
      throw new Mismatch("浏览器不支持 SubtleCrypto（请通过 HTTPS 打开本页）。");
    }
    var digest = await window.crypto.subtle.digest("SHA-256", utf8(text));
    return hex(new Uint8Array(digest));
  }

  function compareCodePoints(a, b) {
    var ia = a[Symbol.iterator]();
    var ib = b[Symbol.iterator]();
    for (;;) {
      var x = ia.next();
      var y = ib.next();
      if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
      var cx = x.value.codePointAt(0);
      var cy = y.value.codePointAt(0);
      if (cx !== cy) return cx < cy ? -1 : 1;
    }
  }

  // Canonical JSON (specification 1.1): sorted keys, no spaces, literal UTF-8, integers only.
  function cj(value) {
    if (value === null) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Mismatch("数值 " + value + " 不是整数，无法规范化。");
      return String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(cj).join(",") + "]";
    if (typeof value === "object") {
      return (
        "{" +
        Object.keys(value)
          .sort(compareCodePoints)
          .map(function (k) {
            return JSON.stringify(k) + ":" + cj(value[k]);
          })
          .join(",") +
        "}"
      );
    }
    throw new Mismatch("无法规范化的值。");
  }

  function byKey(a, b) {
    return compareCodePoints(a.key, b.key);
  }

  function byId(a, b) {
    return a.id - b.id;
  }

  // --- hashed structures ---------------------------------------------------------------------

  function stratumParams(s) {
    return { category: s.category, key: s.key, quota: s.quota, ratio_bp: s.ratio_bp, weighted: s.weighted };
  }

  function weightsOf(s) {
    return s.weighted && s.weights !== null && s.weights !== undefined ? s.weights : null;
  }

  function listText(s) {
    var weights = weightsOf(s);
    var parts = [];
    if (weights !== null && weights.length !== s.candidates.length) {
      throw new Mismatch("分层 " + s.key + "：权重个数与候选对象个数不符。");
    }
    for (var i = 0; i < s.candidates.length; i++) {
      parts.push(weights === null ? s.candidates[i] + "\n" : s.candidates[i] + ":" + weights[i] + "\n");
    }
    return parts.join("");
  }

  function contextOf(context, entity) {
    var value = context[String(entity)];
    return value === undefined ? ["", []] : value;
  }

  function sortedNumbers(values) {
    return values.slice().sort(function (a, b) {
      return a - b;
    });
  }

  function contextText(candidates, context) {
    var parts = [];
    sortedNumbers(candidates).forEach(function (entity) {
      var c = contextOf(context, entity);
      parts.push(entity + ":" + c[0] + ":" + sortedNumbers(c[1]).join(",") + "\n");
    });
    return parts.join("");
  }

  function paramsOf(exported) {
    var p = exported.params;
    return {
      plan_date: p.plan_date,
      strata: exported.strata.slice().sort(byKey).map(stratumParams),
      team_size: p.team_size,
      window: [p.window[0], p.window[1]],
    };
  }

  // --- the draw ------------------------------------------------------------------------------

  function stratumSize(s) {
    var n = s.candidates.length;
    if (n === 0) return [0, { code: "no_candidates", candidates: 0 }];
    if (s.quota !== null) {
      if (s.quota > n) return [n, { code: "quota_exceeds_candidates", candidates: n, quota: s.quota }];
      return [s.quota, null];
    }
    if (s.ratio_bp !== null) {
      var k = Number((BigInt(n) * BigInt(s.ratio_bp) + 9999n) / 10000n);
      return [Math.min(n, k), null];
    }
    return [0, { code: "no_quota_or_ratio", candidates: n }];
  }

  // version 1 ranks by "t:<id>:<i>", version 2 by "t:<stratum key>:<id>:<i>"
  function ranked(key, s, version) {
    var prefix = version === ALGORITHM ? "t:" : "t:" + s.key + ":";
    var weights = weightsOf(s);
    var pairs = s.candidates.map(function (entity, index) {
      var w = weights === null ? 1 : Math.max(1, weights[index]);
      var best = null;
      for (var i = 0; i < w; i++) {
        var value = key(prefix + entity + ":" + i);
        if (best === null || value < best) best = value;
      }
      return [best, entity];
    });
    pairs.sort(function (a, b) {
      if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
      return a[1] - b[1];
    });
    return pairs.map(function (p) {
      return p[1];
    });
  }

  function uniform(key, label, j, m) {
    var bm = BigInt(m);
    var limit = U64 - (U64 % bm);
    for (var counter = 0; ; counter++) {
      var value = BigInt("0x" + key(label + ":" + j + ":" + counter));
      if (value < limit) return Number(value % bm);
    }
  }

  function draw(exported, key, context, version) {
    var params = exported.params;
    var teamSize = params.team_size;
    var planDate = params.plan_date;
    var start = params.window[0];
    var end = params.window[1];

    var drawn = [];
    var counts = {};
    var infeasibleStrata = {};
    exported.strata
      .slice()
      .sort(byKey)
      .forEach(function (s) {
        var size = stratumSize(s);
        var picked = size[0] > 0 ? ranked(key, s, version).slice(0, size[0]) : [];
        counts[s.key] = [s.candidates.length, picked.length];
        if (size[1] !== null) infeasibleStrata[s.key] = size[1];
        picked.forEach(function (entity) {
          drawn.push([s, entity]);
        });
      });

    var usedContext = {};
    sortedNumbers(
      Array.from(
        new Set(
          drawn.map(function (d) {
            return d[1];
          })
        )
      )
    ).forEach(function (entity) {
      var c = contextOf(context, entity);
      usedContext[String(entity)] = [c[0], sortedNumbers(c[1])];
    });

    var excluded = {};
    var usable = [];
    exported.pool
      .slice()
      .sort(byId)
      .forEach(function (o) {
        var credentialValid = o.credentials.some(function (c) {
          return c[0] <= planDate && planDate <= c[1];
        });
        var onLeave = o.leaves.some(function (l) {
          return l[0] <= end && start <= l[1];
        });
        if (!credentialValid) excluded[String(o.id)] = "credential_invalid";
        else if (onLeave) excluded[String(o.id)] = "on_leave";
        else usable.push(o);
      });

    var load = {};
    var tasks = [];
    var skips = {};
    var infeasibleTasks = {};
    drawn.forEach(function (d) {
      var s = d[0];
      var entity = d[1];
      var division = usedContext[String(entity)][0];
      var last = new Set(usedContext[String(entity)][1]);
      var eligible = usable.filter(function (o) {
        return (
          o.categories.indexOf(s.category) >= 0 &&
          (o.regions.length === 0 ||
            o.regions.some(function (r) {
              return division.startsWith(r);
            }))
        );
      });
      var label = "a:" + s.key + ":" + entity;
      var team = [];
      var skipped = [];
      var fallback = null;
      var swaps = new Map();
      var m = eligible.length;
      for (var j = 0; j < m; j++) {
        var r = j + uniform(key, label, j, m - j);
        var picked = swaps.has(r) ? swaps.get(r) : r;
        swaps.set(r, swaps.has(j) ? swaps.get(j) : j);
        var o = eligible[picked];
        var cap = o.max_tasks;
        if (o.conflicts.indexOf(entity) >= 0) {
          skipped.push([o.id, "conflict"]);
        } else if (cap !== null && (load[o.id] || 0) >= cap) {
          skipped.push([o.id, "workload_cap"]);
        } else if (last.size === teamSize && team.length === teamSize - 1 && sameSet(team.concat([o.id]), last)) {
          skipped.push([o.id, "same_team"]);
          if (fallback === null) fallback = o.id;
        } else {
          team.push(o.id);
          if (team.length === teamSize) break;
        }
      }
      if (team.length === teamSize - 1 && fallback !== null) {
        team.push(fallback);
        skipped.push([fallback, "same_team_unavoidable"]);
      }
      var taskKey = s.key + ":" + entity;
      if (skipped.length) skips[taskKey] = skipped;
      if (team.length < teamSize) {
        infeasibleTasks[taskKey] = {
          code: "not_enough_inspectors",
          eligible: m,
          found: team.length,
          needed: teamSize,
        };
        team = [];
      }
      team.forEach(function (id) {
        load[id] = (load[id] || 0) + 1;
      });
      tasks.push([s.key, entity, team]);
    });

    return {
      context: usedContext,
      counts: counts,
      infeasible: { strata: infeasibleStrata, tasks: infeasibleTasks },
      pool_excluded: excluded,
      skips: skips,
      tasks: tasks,
    };
  }

  function sameSet(members, set) {
    var unique = new Set(members);
    if (unique.size !== set.size) return false;
    var same = true;
    unique.forEach(function (x) {
      if (!set.has(x)) same = false;
    });
    return same;
  }

  function kind(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
  }

  function firstDifference(path, expected, found) {
    if (kind(expected) !== kind(found)) {
      return path + "：公布值 " + JSON.stringify(found) + "，复算值 " + JSON.stringify(expected);
    }
    if (kind(expected) === "object") {
      var keys = Array.from(new Set(Object.keys(expected).concat(Object.keys(found)))).sort(compareCodePoints);
      for (var i = 0; i < keys.length; i++) {
        var k = keys[i];
        if (!(k in found)) return path + "." + k + "：公布的结果中缺少此项";
        if (!(k in expected)) return path + "." + k + "：公布的结果多出此项，复算中没有";
        var diff = firstDifference(path + "." + k, expected[k], found[k]);
        if (diff) return diff;
      }
      return null;
    }
    if (kind(expected) === "array") {
      for (var j = 0; j < Math.min(expected.length, found.length); j++) {
        var d = firstDifference(path + "[" + j + "]", expected[j], found[j]);
        if (d) return d;
      }
      if (expected.length !== found.length) {
        return path + "：公布 " + found.length + " 项，复算 " + expected.length + " 项";
      }
      return null;
    }
    if (expected !== found) {
      return path + "：公布值 " + JSON.stringify(found) + "，复算值 " + JSON.stringify(expected);
    }
    return null;
  }

  // --- verification (specification section 7) -------------------------------------------------

  async function check(exported, expectAnnouncement) {
    if (exported.algorithm_version === ALGORITHM && exported.format === EXPORT_FORMAT) {
      return checkV1(exported, expectAnnouncement);
    }
    if (exported.algorithm_version === ALGORITHM_2 && exported.format === EXPORT_FORMAT_2) {
      return checkV2(exported, expectAnnouncement);
    }
    throw new Mismatch(
      "不支持的数据格式或算法版本（" + JSON.stringify(exported.format) + "，" + JSON.stringify(exported.algorithm_version) + "）。"
    );
  }

  // strata, list hashes, pool hash and params (specification 7, checks 2 to 5)
  async function checkInputs(exported) {
    var announcement = exported.announcement;
    var announced = {};
    announcement.strata.forEach(function (m) {
      announced[m.key] = m;
    });
    var strata = exported.strata.slice().sort(byKey);
    var keys = strata.map(function (s) {
      return s.key;
    });
    if (
      new Set(keys).size !== keys.length ||
      keys.length !== Object.keys(announced).length ||
      keys.some(function (k) {
        return !(k in announced);
      })
    ) {
      throw new Mismatch("分层与公告不一致。");
    }
    var listHashes = {};
    for (var i = 0; i < strata.length; i++) {
      var s = strata[i];
      for (var c = 1; c < s.candidates.length; c++) {
        if (!(s.candidates[c - 1] < s.candidates[c])) {
          throw new Mismatch("分层 " + s.key + "：候选名单未按编号严格升序排列。");
        }
      }
      var digest = await sha(listText(s));
      var meta = announced[s.key];
      if (digest !== meta.hash) throw new Mismatch("分层 " + s.key + "：候选名单哈希 " + digest + " 与公告的 " + meta.hash + " 不符。");
      if (s.hash !== undefined && s.hash !== digest) throw new Mismatch("分层 " + s.key + "：候选名单哈希与其公布值不符。");
      if (s.candidates.length !== meta.count) throw new Mismatch("分层 " + s.key + "：候选对象数与公告不符。");
      listHashes[s.key] = digest;
    }
    var poolHash = await sha(cj(exported.pool.slice().sort(byId)));
    if (poolHash !== announcement.pool_hash) {
      throw new Mismatch("检查人员库哈希 " + poolHash + " 与公告的 " + announcement.pool_hash + " 不符。");
    }
    var params = paramsOf(exported);
    if (cj(params) !== cj(exported.params)) {
      throw new Mismatch(firstDifference("params", params, exported.params) || "抽取参数不一致。");
    }
    var meta2 = strata.map(function (s) {
      var m = stratumParams(s);
      m.count = s.candidates.length;
      m.hash = listHashes[s.key];
      if ("context_hash" in announced[s.key]) m.context_hash = announced[s.key].context_hash;
      return m;
    });
    return { strata: strata, announced: announced, listHashes: listHashes, poolHash: poolHash, params: params, meta: meta2 };
  }

  function checkExpected(announcementHash, announcement, expectAnnouncement) {
    if (announcementHash !== announcement.hash) {
      throw new Mismatch("公告哈希 " + announcementHash + " 与公布的 " + announcement.hash + " 不符。");
    }
    if (expectAnnouncement && announcementHash !== expectAnnouncement.trim().toLowerCase()) {
      throw new Mismatch("公告哈希 " + announcementHash + " 与您输入的抽取前公告哈希 " + expectAnnouncement.trim() + " 不符。");
    }
  }

  async function checkContext(inputs, announcedContext) {
    for (var i = 0; i < inputs.strata.length; i++) {
      var s = inputs.strata[i];
      var expected = inputs.announced[s.key].context_hash;
      if (expected === undefined) continue;
      if (announcedContext === undefined || announcedContext === null) throw new Mismatch("数据缺少公告固定的背景信息。");
      if ((await sha(contextText(s.candidates, announcedContext))) !== expected) {
        throw new Mismatch("分层 " + s.key + "：背景信息哈希与公告不符。");
      }
    }
  }

  async function checkResult(exported, seedHex, context, version) {
    if (seedHex !== exported.draw.seed) throw new Mismatch("种子 " + seedHex + " 与公布的 " + exported.draw.seed + " 不符。");
    var result = draw(exported, keyedHasher(fromHex(seedHex)), context, version);
    var diff = firstDifference("result", result, exported.result);
    if (diff) throw new Mismatch("抽取结果不符：" + diff);
    var resultHash = await sha(cj(result));
    if (resultHash !== exported.draw.result_hash) {
      throw new Mismatch("结果哈希 " + resultHash + " 与公布的 " + exported.draw.result_hash + " 不符。");
    }
    return resultHash;
  }

  function summary(exported, announcementHash, seedHex, resultHash, notes, expectAnnouncement) {
    var server = exported.entropy.kind === "server";
    if (server) notes.unshift("本次抽取使用服务器随机数，不可公开验证：计算可以复核，但随机源无法由外部事先固定。");
    if (!expectAnnouncement) {
      notes.push("未输入抽取前留存的公告哈希：请将公告哈希 " + announcementHash + " 与抽取前张贴、见报或见证人留存的公告核对。");
    }
    return {
      announcement: announcementHash,
      seed: seedHex,
      result: resultHash,
      tasks: exported.result.tasks.length,
      notes: notes,
      publiclyVerifiable: !server,
    };
  }

  async function checkV1(exported, expectAnnouncement) {
    var announcement = exported.announcement;
    var inputs = await checkInputs(exported);
    var entropy = exported.entropy;
    if (entropy.kind !== announcement.entropy_kind) throw new Mismatch("随机源类型与公告不符。");
    var witnesses = entropy.witnesses || [];
    if (entropy.kind === "witnesses") {
      for (var w = 0; w < witnesses.length; w++) {
        var secret = witnesses[w].secret;
        if (typeof secret !== "string" || (await sha(secret)) !== witnesses[w].commitment) {
          throw new Mismatch("见证人“" + witnesses[w].name + "”的揭示值与其承诺值不符。");
        }
      }
      var reveals = witnesses.map(function (x) {
        return x.secret;
      });
      if (cj(reveals) !== entropy.value) throw new Mismatch("随机源取值不是见证人揭示值的组合。");
    }
    var announcementHash = await sha(
      cj({
        algorithm: ALGORITHM,
        commitments: witnesses.map(function (x) {
          return x.commitment;
        }),
        entropy_kind: entropy.kind,
        entropy_spec: announcement.entropy_spec,
        params: inputs.params,
        plan: exported.plan.id,
        pool: inputs.poolHash,
        strata: inputs.meta,
      })
    );
    checkExpected(announcementHash, announcement, expectAnnouncement);
    await checkContext(inputs, announcement.context);
    var context = announcement.context !== undefined ? announcement.context : exported.result.context || {};
    var seedHex = await sha(
      cj({
        algorithm: ALGORITHM,
        entropy: entropy.value,
        lists: inputs.listHashes,
        params: inputs.params,
        plan: exported.plan.id,
        pool: inputs.poolHash,
      })
    );
    var resultHash = await checkResult(exported, seedHex, context, ALGORITHM);
    var notes = [];
    if (entropy.kind === "public_number") {
      notes.push("请将公开号码 " + entropy.value + " 与以下事件的官方开奖结果核对：" + announcement.entropy_spec);
    }
    return summary(exported, announcementHash, seedHex, resultHash, notes, expectAnnouncement);
  }

  function utcText(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 19) + "+00:00";
  }

  function instant(text) {
    if (typeof text !== "string" || !/(Z|[+-][0-9]{2}:[0-9]{2})$/.test(text)) throw new Mismatch("时间 " + text + " 缺少时区。");
    var value = Date.parse(text);
    if (isNaN(value)) throw new Mismatch("时间 " + text + " 格式不正确。");
    return value;
  }

  // the instant of a declared event, from the event alone (specification 9)
  function notBefore(declaration) {
    var kind = declaration.kind;
    var event = declaration.event;
    if (kind in LOTTERIES) {
      var f = LOTTERIES[kind];
      var names = Object.keys(event).sort().join(",");
      if (names !== "date,period") throw new Mismatch("随机源 " + kind + "：事件须写明开奖日期和期号。");
      var period = event.period;
      if (typeof period !== "string" || period.length !== f[0] || !/^[0-9]+$/.test(period)) {
        throw new Mismatch("随机源 " + kind + "：期号 " + period + " 不是" + f[0] + "位数字。");
      }
      if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(event.date)) throw new Mismatch("随机源 " + kind + "：开奖日期格式不正确。");
      if (period.slice(0, f[1]) !== event.date.slice(4 - f[1], 4)) {
        throw new Mismatch("随机源 " + kind + "：期号的年份与开奖日期不符。");
      }
      return event.date + "T13:30:00+00:00";
    }
    if (kind === "drand-quicknet") {
      if (Object.keys(event).sort().join(",") !== "chain,round" || event.chain !== DRAND_QUICKNET) {
        throw new Mismatch("随机源 drand：事件须指明 quicknet 链。");
      }
      if (!Number.isSafeInteger(event.round) || event.round < 1) throw new Mismatch("随机源 drand：轮次须为正整数。");
      return utcText(DRAND_GENESIS + DRAND_PERIOD * (event.round - 1));
    }
    throw new Mismatch("未知的随机源类型 " + kind + "。");
  }

  function checkValue(kind, value) {
    if (kind in LOTTERIES) {
      var digits = LOTTERIES[kind][2];
      if (typeof value !== "string" || !new RegExp("^[0-9]{" + digits + "}$").test(value)) {
        throw new Mismatch("随机源 " + kind + "：开奖号码 " + value + " 不是" + digits + "位数字。");
      }
    } else if (typeof value !== "string" || !/^[0-9a-f]{96}$/.test(value)) {
      throw new Mismatch("随机源 drand：取值不是96位小写十六进制字符。");
    }
  }

  async function revealOk(commitment, reveal) {
    var at = reveal.indexOf(":");
    if (at < 0) return false;
    var salt = reveal.slice(0, at);
    if (!/^[0-9a-f]{32}$/.test(salt) || reveal.length === at + 1) return false;
    return (await sha(WITNESS_PREFIX + reveal)) === commitment;
  }

  async function checkV2(exported, expectAnnouncement) {
    var announcement = exported.announcement;
    var inputs = await checkInputs(exported);
    var entropy = exported.entropy;
    var record = entropy.record;
    var kind = entropy.kind;
    if (kind !== announcement.entropy_kind || (kind !== "public_event" && kind !== "server")) {
      throw new Mismatch("随机源类型与公告不符。");
    }
    if (Object.keys(record).sort().join(",") !== "server,sources,witnesses") throw new Mismatch("随机源记录的结构不正确。");
    var declared = announcement.sources;
    var sourcesSame =
      record.sources.length === declared.length &&
      record.sources.every(function (s, i) {
        return s.kind === declared[i].kind && cj(s.event) === cj(declared[i].event);
      });
    if (!sourcesSame) throw new Mismatch("随机源记录与公告声明的公开事件不符。");
    var commitments = record.witnesses.map(function (w) {
      return w.commitment;
    });
    if (cj(commitments) !== cj(announcement.witnesses)) throw new Mismatch("见证人承诺值与公告不符。");
    for (var i = 0; i < record.witnesses.length; i++) {
      var r = record.witnesses[i].reveal;
      if (r !== null && !(typeof r === "string" && (await revealOk(record.witnesses[i].commitment, r)))) {
        throw new Mismatch("第" + (i + 1) + "名见证人的揭示值与其承诺值不符。");
      }
    }
    if (kind === "server") {
      if (declared.length || record.witnesses.length || typeof record.server !== "string" || record.server.length !== 64) {
        throw new Mismatch("服务器随机数抽取不应声明公开事件或见证人。");
      }
    } else if (!declared.length || record.server !== null) {
      throw new Mismatch("公开事件抽取须至少声明一个公开事件，且不含服务器随机数。");
    }
    var publishedAt = instant(announcement.published_at);
    var earliest = null;
    for (var d = 0; d < declared.length; d++) {
      var expected = notBefore(declared[d]);
      if (declared[d].not_before !== expected) throw new Mismatch("随机源 " + declared[d].kind + "：事件时间与事件本身不符。");
      var at = instant(expected);
      if (at <= publishedAt) throw new Mismatch("随机源 " + declared[d].kind + "：公告发布时该事件已经发生。");
      if (earliest === null || at < earliest) earliest = at;
      checkValue(record.sources[d].kind, record.sources[d].value);
    }
    var deadline = announcement.reveal_deadline;
    if (deadline !== null) {
      var due = instant(deadline);
      if (!(publishedAt < due && (earliest === null || due <= earliest))) {
        throw new Mismatch("见证人揭示截止时间不在公告与公开事件之间。");
      }
    }
    var entropyValue = await sha(cj(record));
    if (entropyValue !== entropy.value) throw new Mismatch("随机源取值 " + entropyValue + " 与公布的 " + entropy.value + " 不符。");
    if (
      Object.keys(inputs.announced).some(function (k) {
        return !("context_hash" in inputs.announced[k]);
      })
    ) {
      throw new Mismatch("第2版公告须固定每个分层的背景信息。");
    }
    var announcementHash = await sha(
      cj({
        algorithm: ALGORITHM_2,
        entropy_kind: kind,
        names_public: announcement.names_public,
        params: inputs.params,
        plan: exported.plan.id,
        pool: inputs.poolHash,
        replaces: announcement.replaces,
        reveal_deadline: deadline,
        sources: declared,
        strata: inputs.meta,
        witnesses: announcement.witnesses,
      })
    );
    checkExpected(announcementHash, announcement, expectAnnouncement);
    await checkContext(inputs, announcement.context);
    var seedHex = await sha(
      cj({
        algorithm: ALGORITHM_2,
        announcement: announcementHash,
        entropy: entropyValue,
        lists: inputs.listHashes,
        params: inputs.params,
        plan: exported.plan.id,
        pool: inputs.poolHash,
      })
    );
    var resultHash = await checkResult(exported, seedHex, announcement.context, ALGORITHM_2);
    var notes = [];
    declared.forEach(function (decl, index) {
      var value = record.sources[index].value;
      if (decl.kind === "drand-quicknet") {
        notes.push(
          "drand 第" + decl.event.round + "轮：本页不核验其BLS签名，请与任一drand镜像核对，例如 https://api.drand.sh/" +
            DRAND_QUICKNET + "/public/" + decl.event.round
        );
      } else {
        notes.push("请将 " + decl.event.date + " 第" + decl.event.period + "期开奖号码与 " + value + " 核对（官方开奖结果）。");
      }
    });
    var withheld = record.witnesses.filter(function (w) {
      return w.reveal === null;
    }).length;
    if (withheld) notes.push(withheld + "名见证人未揭示：公开事件仍决定随机源，未揭示不影响抽取。");
    if (announcement.replaces !== null) {
      notes.push("本公告替换了公告 " + announcement.replaces.hash + "，原因：" + announcement.replaces.reason);
    }
    return summary(exported, announcementHash, seedHex, resultHash, notes, expectAnnouncement);
  }

  // { ok, problem, announcement, seed, result, tasks, notes, publiclyVerifiable }
  async function verifyExport(exported, expectAnnouncement) {
    try {
      var out = await check(exported, expectAnnouncement || "");
      out.ok = true;
      out.problem = null;
      return out;
    } catch (error) {
      var message = error instanceof Mismatch ? error.message : "数据不完整或格式错误（" + String(error) + "）。";
      return { ok: false, problem: message, notes: [] };
    }
  }

  // True when the JSON text holds a number with a fraction or an exponent: canonical JSON has
  // none (specification 1.1), and JSON.parse would silently turn 4.0 into 4.
  function hasFloat(text) {
    var inString = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') {
        inString = true;
      } else if ((c === "." || c === "e" || c === "E") && /[0-9]/.test(text[i - 1] || "")) {
        return true;
      }
    }
    return false;
  }

  // --- the page ------------------------------------------------------------------------------

  function show(box, outcome) {
    box.textContent = "";
    var title = document.createElement("div");
    title.className = "alert " + (outcome.ok ? (outcome.publiclyVerifiable ? "alert-success" : "alert-warning") : "alert-danger");
    title.setAttribute("data-verdict", outcome.ok ? "ok" : "mismatch");
    title.textContent = outcome.ok
      ? outcome.publiclyVerifiable
        ? "核验通过：本次抽取可由公开数据完整复算。"
        : "计算核验通过，但本次抽取不可公开验证（服务器随机数）。"
      : "核验未通过：" + outcome.problem;
    box.appendChild(title);
    if (outcome.ok) {
      var list = document.createElement("dl");
      list.className = "row small";
      [
        ["公告哈希", outcome.announcement],
        ["种子", outcome.seed],
        ["结果哈希", outcome.result],
        ["任务数", String(outcome.tasks)],
      ].forEach(function (row) {
        var dt = document.createElement("dt");
        dt.className = "col-sm-2";
        dt.textContent = row[0];
        var dd = document.createElement("dd");
        dd.className = "col-sm-10";
        var code = document.createElement("code");
        code.className = "text-break";
        code.textContent = row[1];
        dd.appendChild(code);
        list.appendChild(dt);
        list.appendChild(dd);
      });
      box.appendChild(list);
    }
    outcome.notes.forEach(function (note) {
      var p = document.createElement("p");
      p.className = "small text-muted";
      p.textContent = note;
      box.appendChild(p);
    });
  }

  function wire() {
    var form = document.getElementById("draw-verify-form");
    if (!form) return;
    var box = document.getElementById("draw-verify-result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = document.getElementById("draw-verify-file").files[0];
      var expect = document.getElementById("draw-verify-expect").value;
      if (!file) {
        box.textContent = "请先选择抽取数据文件（JSON）。";
        return;
      }
      box.textContent = "正在核验……";
      file
        .text()
        .then(function (text) {
          var exported;
          try {
            exported = JSON.parse(text);
          } catch (error) {
            return { ok: false, problem: "文件不是有效的 JSON。", notes: [] };
          }
          if (hasFloat(text)) {
            return { ok: false, problem: "文件含有小数或指数形式的数值，抽取数据中不应出现。", notes: [] };
          }
          return verifyExport(exported, expect);
        })
        .then(function (outcome) {
          show(box, outcome);
        });
    });
  }

  window.FazhiDrawVerifier = {
    verifyExport: verifyExport,
    canonicalJson: cj,
    hasFloat: hasFloat,
    blake2bHex: function (messageText, keyHex, outLength) {
      return hex(blake2b(utf8(messageText), keyHex ? fromHex(keyHex) : null, outLength));
    },
    keyed64: function (keyHex, messageText) {
      return keyedHasher(fromHex(keyHex))(messageText);
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
