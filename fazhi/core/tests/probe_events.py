"""Event names for tests of the chain itself (``audit.append`` accepts registered names only).

Importing the module registers them; worker processes of the concurrency tests import it too.
"""

from __future__ import annotations

from fazhi.core import events
from fazhi.core.events import EventName


class ProbeEvents(EventName):
    EVENT = "test.event", "测试事件"
    ONE = "test.one", "测试事件一"
    TWO = "test.two", "测试事件二"
    DOOMED = "test.doomed", "回滚的测试事件"
    LOOSE = "test.loose", "事务外的测试事件"
    ANON = "test.anon", "匿名测试事件"
    CONCURRENT = "test.concurrent", "并发测试事件"
    ROLLED_BACK = "test.rolled_back", "回滚的并发测试事件"
    CASE_FILED = "probe_case.filed", "测试立案"
    JOB_RAN = "probe_job.ran", "测试系统任务"


events.register(ProbeEvents)
