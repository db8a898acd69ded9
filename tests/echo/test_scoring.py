"""Independent rubric scoring: a reviewer sees others' scores only after scoring; the list
shows count, mean and spread (the mean and spread only once the viewer has scored) and flags
requests for a second review; scores decide nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from echo.models import Criterion, RequestState, Review
from echo.scoring import needs_second_review_q, save_review, with_review_summary
from tests.factories import make_request, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric():
    series = make_series(title="Scored ECHO", second_review_spread=1)
    criteria = [
        Criterion.objects.create(series=series, name=name, description=f"{name}: 1 weak, 5 strong",
                                 order=n)
        for n, name in enumerate(["Team readiness", "County need", "Partner commitment"])
    ]  # fmt: skip
    return series, criteria


def reviewer(django_user_model, name):
    user = django_user_model.objects.create_user(name, password="x" * 16, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def score_url(request):
    return reverse("admin:echo_registrationrequest_score", args=[request.pk])


def change_url(request):
    return reverse("admin:echo_registrationrequest_change", args=[request.pk])


def post_scores(client, request, criteria, values, note=""):
    data = {f"criterion_{c.pk}": v for c, v in zip(criteria, values, strict=True)}
    return client.post(score_url(request), {**data, "note": note})


def test_a_reviewer_sees_colleagues_scores_only_after_scoring(client, django_user_model, rubric):
    series, criteria = rubric
    request = make_request(series=series)
    ana, ben = reviewer(django_user_model, "ana"), reviewer(django_user_model, "ben")
    save_review(registration_request=request, reviewer=ana,
                values={c.pk: 5 for c in criteria}, note="Strong team.")  # fmt: skip

    login_staff(client, ben)
    before = client.get(change_url(request)).content.decode()
    assert "Strong team." not in before and "ana" not in before.split('id="scores"')[1][:2000]
    assert "shown once you have scored" in before
    form = client.get(score_url(request)).content.decode()
    assert "Strong team." not in form and "Team readiness" in form

    response = post_scores(client, request, criteria, [2, 3, 2], note="Needs partners.")
    assert response.status_code == 302
    after = client.get(change_url(request)).content.decode()
    assert "Strong team." in after and "Needs partners." in after
    request.refresh_from_db()
    assert request.state == RequestState.PENDING  # scores never decide


def test_the_list_hides_the_mean_of_requests_the_viewer_has_not_scored(
    client, django_user_model, rubric
):
    series, criteria = rubric
    request = make_request(series=series, full_name="Scored By Ana")
    ana, ben = reviewer(django_user_model, "ana"), reviewer(django_user_model, "ben")
    save_review(registration_request=request, reviewer=ana, values={c.pk: 4 for c in criteria})
    url = reverse("admin:echo_registrationrequest_changelist")

    login_staff(client, ben)
    before = client.get(url).content.decode()
    assert "1 review <strong>(second review)</strong>" in before
    assert "4.0" not in before

    post_scores(client, request, criteria, [2, 2, 2])
    after = client.get(url).content.decode()
    assert "2 · 3.0 ± 2.0 <strong>(second review)</strong>" in after


def test_invalid_scores_are_refused_and_nothing_is_stored(admin_client, rubric):
    series, criteria = rubric
    request = make_request(series=series)
    response = post_scores(admin_client, request, criteria, [6, 3, ""])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice." in html and "This field is required." in html
    assert not Review.objects.exists()


def test_list_shows_count_mean_spread_and_flags_second_reviews(client, django_user_model,
                                                               rubric):  # fmt: skip
    series, criteria = rubric
    one = make_request(series=series, full_name="One Score")
    apart = make_request(series=series, full_name="Far Apart")
    agreed = make_request(series=series, full_name="Agreed")
    make_request(series=series, full_name="Nobody Yet")
    ana, ben = reviewer(django_user_model, "ana"), reviewer(django_user_model, "ben")
    save_review(registration_request=one, reviewer=ana, values={c.pk: 4 for c in criteria})
    for request, (a, b) in [(apart, (5, 2)), (agreed, (4, 4))]:
        save_review(registration_request=request, reviewer=ana, values={c.pk: a for c in criteria})
        save_review(registration_request=request, reviewer=ben, values={c.pk: b for c in criteria})

    flagged = with_review_summary(series.requests.all()).filter(needs_second_review_q())
    assert {r.full_name for r in flagged} == {"One Score", "Far Apart"}

    login_staff(client, ana)  # ana has scored all three
    url = reverse("admin:echo_registrationrequest_changelist")
    html = client.get(url).content.decode()
    assert "1 · 4.0 <strong>(second review)</strong>" in html
    assert "2 · 3.5 ± 3.0 <strong>(second review)</strong>" in html
    assert "2 · 4.0 ± 0.0" in html
    needed = client.get(url + "?second_review=needed").content.decode()
    assert "One Score" in needed and "Far Apart" in needed and "Agreed" not in needed
    unscored = client.get(url + "?second_review=unscored").content.decode()
    assert "Nobody Yet" in unscored and "Agreed" not in unscored


def test_scoring_again_replaces_the_reviewers_own_scores(rubric, django_user_model):
    series, criteria = rubric
    request = make_request(series=series)
    ana = reviewer(django_user_model, "ana")
    save_review(registration_request=request, reviewer=ana, values={c.pk: 1 for c in criteria})
    review = save_review(registration_request=request, reviewer=ana,
                         values={c.pk: 3 for c in criteria})  # fmt: skip
    assert Review.objects.count() == 1 and str(review.mean) == "3.00"
    with pytest.raises(ValueError):
        save_review(registration_request=request, reviewer=ana, values={criteria[0].pk: 3})


def test_duplicating_a_series_keeps_its_criteria(rubric):
    series, criteria = rubric
    copy = series.duplicate()
    assert list(copy.criteria.values_list("name", flat=True)) == [c.name for c in criteria]
