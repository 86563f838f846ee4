"""Drives Rapport's task list with python-caldav (Debian's python3-caldav),
as its functional test-suite drives a server: discovery, the one task list
and its component set, listing, text and time-range searches, lookup by
UID, sync tokens, and completing a task. Prints one JSON object; the Go
test TestPythonCaldav checks it. Arguments: base URL, user, password."""
import datetime, json, sys

import caldav

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
client = caldav.DAVClient(url=url, username=user, password=password)
principal = client.principal()
cals = principal.calendars()
out["calendars"] = [c.name for c in cals]
cal = cals[0]
out["components"] = cal.get_supported_components()
todos = cal.todos()
out["todos"] = [str(t.icalendar_component.get("summary")) for t in todos]
out["descriptions"] = [str(t.icalendar_component.get("description", "")) for t in todos]
first = todos[0].icalendar_component
due = first.get("due").dt
out["first_uid"] = str(first.get("uid"))
out["by_uid"] = str(cal.todo_by_uid(out["first_uid"]).icalendar_component.get("summary"))
# A text search (python-caldav asks i;octet: the exact text), and the
# same in capitals, which i;octet must not find.
out["summary_search"] = len(cal.search(todo=True, summary="Ada Lovelace"))
out["summary_search_upper"] = len(cal.search(todo=True, summary="ADA LOVELACE"))
# Time ranges around the first task's DUE, and far from it.
hour = datetime.timedelta(hours=1)
out["range_hit"] = [str(t.icalendar_component.get("uid")) for t in cal.search(todo=True, start=due - hour, end=due + hour)]
out["range_miss"] = len(cal.search(todo=True, start=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
                                   end=datetime.datetime(2000, 1, 2, tzinfo=datetime.timezone.utc)))
# Sync tokens: everything first, then only what changed.
objs = cal.objects_by_sync_token(load_objects=False)
out["sync_all"] = len(list(objs))
token = objs.sync_token
todos[0].complete()
changed = cal.objects_by_sync_token(sync_token=token, load_objects=False)
out["sync_changed"] = [str(o.url) for o in changed]
out["completed_uid"] = out["first_uid"]
# todos() leaves out completed ones with negated STATUS text-matches.
out["todos_after"] = [str(t.icalendar_component.get("uid")) for t in cal.todos()]
print(json.dumps(out, default=str))
