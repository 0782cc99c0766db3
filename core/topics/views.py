"""Special-topic filing guides API: public topics and flowcharts, admin editing."""

from fastapi import APIRouter, Response

from core.deps import DB, CurrentUser
from core.org import service as org_service
from core.org.permissions import Permission
from core.topics import service
from core.topics.schemas import TopicIn, TopicOut, TopicSummary

router = APIRouter(tags=["专项报建指导"])


@router.get("/topics", response_model=list[TopicSummary], summary="专项报建指导列表（公开）")
def list_topics(db: DB) -> list[TopicSummary]:
    """The special topics (立项、规划、民防、施工、排水) in their display order."""
    return [TopicSummary.from_model(t) for t in service.list_topics(db)]


@router.get("/topics/{code}", response_model=TopicOut, summary="专项报建指导（公开）")
def get_topic(code: str, db: DB) -> TopicOut:
    """A topic's steps with their departments and the guide and application links of their items."""
    return service.topic_out(db, service.get_topic(db, code))


@router.get(
    "/topics/{code}/flowchart.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
    summary="专项业务流程图（SVG，公开）",
)
def get_flowchart(code: str, db: DB) -> Response:
    """The topic's business flowchart drawn from its steps; steps with a service item link to its guide."""
    return Response(service.flowchart_svg(db, service.get_topic(db, code)), media_type="image/svg+xml")


@router.put("/topics/{code}", response_model=TopicOut, summary="修改专项报建指导")
def update_topic(code: str, data: TopicIn, db: DB, user: CurrentUser) -> TopicOut:
    """Replaces a topic's title, summary and steps (rule managers)."""
    org_service.require(user, Permission.RULES_MANAGE)
    return service.topic_out(db, service.save_topic(db, user, code, data))
