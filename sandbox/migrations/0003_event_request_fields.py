import uuid

from django.db import migrations, models


def give_every_event_its_own_id(apps, schema_editor):
    Event = apps.get_model("sandbox", "Event")
    for event in Event.objects.only("id").iterator():
        Event.objects.filter(pk=event.pk).update(event_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0002_organization_accounts_keys")]

    operations = [
        migrations.AddField(model_name="event", name="event_id", field=models.UUIDField(null=True)),
        migrations.RunPython(give_every_event_its_own_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event", name="event_id", field=models.UUIDField(default=uuid.uuid4, unique=True)
        ),
        migrations.AddField(model_name="event", name="request_id", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(
            model_name="event", name="aws_region", field=models.CharField(default="us-east-1", max_length=32)
        ),
        migrations.AddField(model_name="event", name="source_ip", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="event", name="user_agent", field=models.CharField(blank=True, max_length=512)),
        migrations.AddField(model_name="event", name="read_only", field=models.BooleanField(default=False)),
    ]
