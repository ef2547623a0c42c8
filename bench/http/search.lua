-- search.lua — wrk script: GET /search with queries taken in turn from the
-- file in $QUERIES (one per line, or "kind<TAB>query"), percent-encoded.
local queries = {}
local path = os.getenv("QUERIES") or "bench/http/queries.txt"
for line in io.lines(path) do
  local q = line:match("\t(.*)$") or line
  if #q > 0 then
    queries[#queries + 1] = "/search?q=" .. q:gsub("[^%w%-_%.]", function(c)
      return string.format("%%%02X", string.byte(c))
    end)
  end
end
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", queries[i])
end
