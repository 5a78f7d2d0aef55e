-- wrk script: the look-up page the receipt's QR code opens (HTML: the
-- dossier, its history, its supplement and rating state).
wrk.method = "GET"
wrk.path = "/?code=" .. os.getenv("CODE") .. "&pin=" .. os.getenv("PIN")

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
