"""The integration account moves here from the lobby: the table (lobby_integration) stays as it
is, so this changes only Django's state (lobby 0008 ends the move and carries the content type)."""

import core.models
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("lobby", "0008_issue25_currency_and_credentials"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Integration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('provider', models.CharField(choices=[('onegaming', '1Gaming'), ('oppi', 'Oppi Games')], max_length=16)),
                        ('code', models.SlugField(help_text='Our name for this account, used in commands.', max_length=32, unique=True)),
                        ('name', models.CharField(blank=True, max_length=100)),
                        ('mode', models.CharField(choices=[('seamless', 'Seamless'), ('transfer', 'Transfer')], default='seamless', max_length=16)),
                        ('agent_code', models.CharField(blank=True, max_length=50)),
                        ('sub_agent', models.CharField(blank=True, max_length=50)),
                        ('api_key', models.CharField(blank=True, max_length=100)),
                        ('secret', models.CharField(max_length=200)),
                        ('secret_set_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('secret_set_by', models.CharField(blank=True, editable=False, help_text='Username of the staff member, or the command, that set it.', max_length=150)),
                        ('api_base_url', models.URLField(blank=True, help_text="The provider's base URL for calls we make.")),
                        ('allowed_ips', models.TextField(blank=True, help_text='Comma-separated caller IPs allowed for callbacks. Empty: any IP.')),
                        ('launch_method', models.CharField(choices=[('iframe', 'In a frame'), ('redirect', 'Redirect'), ('new_tab', 'New tab')], default='iframe', max_length=16)),
                        ('signature_encoding', models.CharField(choices=[('hex', 'Hex (either case inbound)'), ('base64', 'Base64')], default='hex', help_text='1G: encoding of UG-Data-Signature and bcode, inbound and outbound.', max_length=8)),
                        ('time_zone', models.CharField(default='UTC', help_text='1G: the zone of a callback `datetime` sent without one (IANA name, e.g. Asia/Jakarta).', max_length=64, validators=[core.models.time_zone_validate])),
                        ('accept_unknown_bet_sessions', models.BooleanField(default=False, help_text='Oppi only. Bets naming a sessionId we did not get from /game/url are accepted for a known player (the call history flags them). Off: refused with RS_ERROR_SESSION_REQUIRED_OR_INVALID.', verbose_name='accept unknown sessions for bets')),
                        ('accept_bets_in_other_currency', models.BooleanField(default=False, help_text="1G only. Off: a bet whose currency is not its launch session's is refused with INVALID_CURRENCY. On: it is taken from the player's wallet in the bet's currency.", verbose_name="accept bets in another currency than the launch's")),
                        ('enabled', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'lobby_integration',
                        'ordering': ['code'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('agent_code', ''), _negated=True), fields=('provider', 'agent_code'), name='integration_unique_agent_code'), models.UniqueConstraint(condition=models.Q(('api_key', ''), _negated=True), fields=('provider', 'api_key'), name='integration_unique_api_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
