-- wrk script: POST a complete birth registration with an e-mail address
-- (so the intake also writes the receipt mail to the outbox).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"procedure":"1.001193","applicant":{"name":"Nguyễn Văn An","id_number":"001090012345","phone":"0912345678","address":"Ấp 2","email":"an@example.vn"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}],"channel":"counter"}'

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
