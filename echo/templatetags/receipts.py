from django import template

from echo.receipts import answer_sections

register = template.Library()


@register.simple_tag
def request_answers(registration_request):
    """{% request_answers registration_request as sections %}: every answer, by section."""
    return answer_sections(registration_request)
